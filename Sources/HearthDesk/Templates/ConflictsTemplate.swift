extension DeskTemplates {
    /// Open conflicts, filtered and paged; the filters are a GET form, so a filtered page is a link.
    static let conflicts = """
        {{<layout}}
        {{$title}}{{t.conflicts_title}}{{/title}}
        {{$content}}
        <h1>{{t.conflicts_title}}</h1>
        <form method="get" action="/desk/conflicts" class="filters">
        <label>{{t.filter_township}} <input name="township" value="{{filter.township}}" size="10"
        maxlength="9" inputmode="numeric"{{#fixed_township}} readonly{{/fixed_township}}></label>
        <label>{{t.filter_village}} <input name="village" value="{{filter.village}}" size="13" maxlength="12"
        inputmode="numeric"></label>
        <label>{{t.filter_rule}} <select name="rule">
        <option value="">{{t.filter_any}}</option>
        {{#rules}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{id}} {{title}}</option>{{/rules}}
        </select></label>
        <label>{{t.filter_kind}} <input name="kind" value="{{filter.kind}}" size="12" maxlength="32"></label>
        <label>{{t.filter_age}} <select name="age">
        {{#ages}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/ages}}
        </select></label>
        <button type="submit">{{t.filter_apply}}</button>
        <a href="/desk/conflicts">{{t.filter_clear}}</a>
        </form>
        <p class="count">{{summary}} · <a href="{{bulk_link}}" id="bulk-link">{{t.bulk_link}}</a></p>
        <table>
        <thead><tr><th>{{t.col_conflict}}</th><th>{{t.col_village}}</th><th>{{t.col_rule}}</th>
        <th>{{t.col_kind}}</th><th class="num">{{t.col_values}}</th><th>{{t.col_age}}</th><th>{{t.col_state}}</th>
        </tr></thead>
        <tbody>
        {{#rows}}<tr><td><a href="{{link}}">{{id}}</a></td><td>{{village}}</td><td>{{rule}}</td><td>{{kind}}</td>
        <td class="num">{{values}}</td><td>{{age}}</td><td>{{state}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="7">{{t.conflicts_none}}</td></tr>{{/rows}}
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
