extension DeskTemplates {
    /// The hub's audit, searched and paged, newest first.
    static let audit = """
        {{<layout}}
        {{$title}}{{t.audit_title}}{{/title}}
        {{$content}}
        <h1>{{t.audit_title}}</h1>
        <form method="get" action="/desk/audit" class="filters">
        <label>{{t.audit_worker}} <input name="worker" value="{{search.worker}}" size="10" maxlength="100"></label>
        <label>{{t.audit_action}} <input name="action" value="{{search.action}}" size="14" maxlength="100"></label>
        <label>{{t.col_record}} <input name="record" value="{{search.record}}" size="18" maxlength="100"></label>
        <label>{{t.audit_from}} <input name="from" value="{{search.from}}" size="10" maxlength="10"
        placeholder="YYYY-MM-DD"></label>
        <label>{{t.audit_to}} <input name="to" value="{{search.to}}" size="10" maxlength="10"
        placeholder="YYYY-MM-DD"></label>
        <button type="submit">{{t.filter_apply}}</button>
        <a href="/desk/audit">{{t.filter_clear}}</a>
        </form>
        <p class="count">{{summary}}</p>
        <table class="audit">
        <thead><tr><th>{{t.col_time}}</th><th>{{t.audit_worker}}</th><th>{{t.audit_action}}</th>
        <th>{{t.col_record}}</th><th>{{t.conflict_field}}</th><th>{{t.col_detail}}</th><th></th></tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{time}}</td><td>{{worker}}</td><td>{{action}}</td><td>{{record}}</td><td>{{field}}</td>
        <td>{{detail}}</td><td>{{kind}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="7">{{t.audit_none}}</td></tr>{{/rows}}
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
