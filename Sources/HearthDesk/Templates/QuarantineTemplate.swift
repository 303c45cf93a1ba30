extension DeskTemplates {
    /// The ops the hub refused, a page at a time, each with its reason, what waits on it and, for
    /// an administrator, its release or discard with a reason.
    static let quarantine = """
        {{<layout}}
        {{$title}}{{t.quarantine_title}}{{/title}}
        {{$content}}
        <h1>{{t.quarantine_title}}</h1>
        <p class="hint">{{t.quarantine_intro}}</p>
        <p class="count">{{summary}} ·
        {{#all}}<a href="/desk/quarantine">{{t.quarantine_held_only}}</a>{{/all}}
        {{^all}}<a href="/desk/quarantine?all=1">{{t.quarantine_show_all}}</a>{{/all}}</p>
        <table class="quarantine">
        <thead><tr><th>{{t.col_op}}</th><th>{{t.col_record}}</th><th>{{t.col_written_by}}</th><th>{{t.col_time}}</th>
        <th>{{t.col_reason_held}}</th><th>{{t.col_waiting}}</th><th>{{t.col_state}}</th><th></th></tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{dot}}</td><td>{{record}}</td><td>{{author}}</td><td>{{time}}</td><td>{{reason}}</td>
        <td>{{waiting}}</td><td>{{state}}</td>
        <td>{{#held}}<form method="post" action="{{action}}" class="settle">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input name="note" maxlength="500" size="18" required aria-label="{{t.quarantine_note}}"
        placeholder="{{t.quarantine_note}}">
        <button type="submit" name="action" value="release">{{t.quarantine_release}}</button>
        <button type="submit" name="action" value="discard">{{t.quarantine_discard}}</button>
        </form>{{/held}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="8">{{t.quarantine_none}}</td></tr>{{/rows}}
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
