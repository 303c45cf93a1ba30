extension DeskTemplates {
    /// Problem leads from the cross-checks, by status and paged, each open one confirmed or
    /// refuted with a note by an administrator.
    static let leads = """
        {{<layout}}
        {{$title}}{{t.leads_title}}{{/title}}
        {{$content}}
        <h1>{{t.leads_title}}</h1>
        <form method="get" action="/desk/leads" class="filters">
        <label>{{t.col_state}} <select name="status">
        {{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}
        </select></label>
        <button type="submit">{{t.filter_apply}}</button>
        </form>
        <p class="count">{{summary}}</p>
        <table class="leads">
        <thead><tr><th>{{t.col_lead}}</th><th>{{t.col_village}}</th><th>{{t.col_person}}</th><th>{{t.col_source}}</th>
        <th>{{t.col_detail}}</th><th>{{t.col_state}}</th><th>{{t.col_verified}}</th><th></th></tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{id}}</td><td>{{village}}</td><td>{{name}} {{member}}</td><td>{{source}}</td>
        <td>{{detail}} {{date}}</td><td>{{status}}</td><td>{{verifier}} {{note}}</td>
        <td>{{#can_decide}}<form method="post" action="/desk/leads" class="settle">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="lead" value="{{id}}">
        <input name="note" maxlength="500" size="16" required placeholder="{{t.lead_note}}" aria-label="{{t.lead_note}}">
        <input name="date" maxlength="10" size="10" placeholder="{{t.lead_date}}" aria-label="{{t.lead_date}}">
        <button type="submit" name="action" value="confirm">{{t.lead_confirm}}</button>
        <button type="submit" name="action" value="refute">{{t.lead_refute}}</button>
        </form>{{/can_decide}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="8">{{t.leads_none}}</td></tr>{{/rows}}
        </tbody>
        </table>
        <nav class="pager">
        {{#previous}}<a href="{{.}}">{{t.page_previous}}</a>{{/previous}}
        <span>{{page_label}}</span>
        {{#next}}<a href="{{.}}">{{t.page_next}}</a>{{/next}}
        </nav>
        {{/content}}
        {{/layout}}

        """
}
