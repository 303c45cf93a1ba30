extension DeskTemplates {
    /// Open rule cases, filtered by rule and paged.
    static let cases = """
        {{<layout}}
        {{$title}}{{t.cases_title}}{{/title}}
        {{$content}}
        <h1>{{t.cases_title}}</h1>
        <form method="get" action="/desk/cases" class="filters">
        <label>{{t.filter_rule}} <select name="rule">
        <option value="">{{t.filter_any}}</option>
        {{#rules}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{id}} {{title}}</option>{{/rules}}
        </select></label>
        <button type="submit">{{t.filter_apply}}</button>
        </form>
        <p class="count">{{summary}}</p>
        <table>
        <thead><tr><th>{{t.col_case}}</th><th>{{t.col_rule}}</th><th>{{t.col_kind}}</th><th>{{t.col_village}}</th>
        <th>{{t.col_detail}}</th><th class="num">{{t.col_records}}</th><th class="num">{{t.col_holds}}</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td><a href="{{link}}">{{id}}</a></td><td>{{rule}}</td><td>{{kind}}</td><td>{{village}}</td>
        <td>{{detail}}</td><td class="num">{{records}}</td><td class="num">{{holds}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="7">{{t.cases_none}}</td></tr>{{/rows}}
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

    /// One rule case: its records side by side, field by field, and what may be done about it.
    static let ruleCase = """
        {{<layout}}
        {{$title}}{{id}}{{/title}}
        {{$content}}
        <p><a href="/desk/cases">{{t.back_to_cases}}</a></p>
        <h1>{{id}}</h1>
        <dl class="facts">
        <dt>{{t.conflict_rule}}</dt><dd>{{rule}} {{rule_title}} · {{kind}}</dd>
        <dt>{{t.conflict_village}}</dt><dd>{{village}}</dd>
        <dt>{{t.col_detail}}</dt><dd>{{detail}}</dd>
        <dt>{{t.col_holds}}</dt><dd>{{holds}}</dd>
        </dl>
        <table class="side-by-side">
        <thead><tr><th>{{t.conflict_field}}</th>{{#columns}}<th>{{id}}</th>{{/columns}}</tr></thead>
        <tbody>
        {{#rows}}<tr{{#differ}} class="differ"{{/differ}}><td>{{field}}</td>{{#values}}<td>{{.}}</td>{{/values}}</tr>
        {{/rows}}
        </tbody>
        </table>
        {{#can_act}}
        <form method="post" action="/desk/case" class="resolve">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="id" value="{{id}}">
        <fieldset>
        <legend>{{t.case_actions}}</legend>
        <label><input type="radio" name="action" value="ack" required> {{t.case_ack}}</label>
        {{#has_enrollments}}
        <label><input type="radio" name="action" value="exit"> {{t.case_exit}}</label>
        <select name="enrollment" aria-label="{{t.case_exit}}">
        {{#enrollments}}<option value="{{id}}">{{id}}</option>{{/enrollments}}
        </select>
        <label>{{t.case_end}} <input name="end" size="8" maxlength="7" placeholder="YYYY-MM"></label>
        {{/has_enrollments}}
        <label class="note">{{t.resolve_note}} <textarea name="note" rows="2" cols="60" maxlength="500"
        required></textarea></label>
        <button type="submit">{{t.case_submit}}</button>
        </fieldset>
        </form>
        {{/can_act}}
        {{^can_act}}<p class="readonly">{{t.resolve_read_only}}</p>{{/can_act}}
        {{/content}}
        {{/layout}}

        """
}
