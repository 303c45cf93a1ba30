extension DeskTemplates {
    /// The bureau's monthly report by township or village, and its CSV download.
    static let report = """
        {{<layout}}
        {{$title}}{{t.report_title}}{{/title}}
        {{$content}}
        <h1>{{t.report_title}} · {{month}}{{#scope}} · {{.}}{{/scope}}</h1>
        <form method="get" action="/desk/report" class="filters">
        <label>{{t.report_month}} <input name="month" value="{{month}}" size="8" maxlength="7"></label>
        <label>{{t.report_by}} <select name="by">
        {{#levels}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/levels}}
        </select></label>
        <button type="submit">{{t.filter_apply}}</button>
        <a href="{{download}}" id="report-csv">{{t.report_download}}</a>
        </form>
        <table class="report">
        <thead><tr>{{#header}}<th>{{.}}</th>{{/header}}</tr></thead>
        <tbody>
        {{#rows}}<tr{{#total}} class="total"{{/total}}>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>{{/rows}}
        </tbody>
        </table>
        {{/content}}
        {{/layout}}

        """

    /// The month's roll: its totals, what is left apart, the subtotals, downloads and the lock.
    static let roll = """
        {{<layout}}
        {{$title}}{{t.roll_title}}{{/title}}
        {{$content}}
        <h1>{{t.roll_title}} · {{month}} · {{state}}</h1>
        <form method="get" action="/desk/roll" class="filters">
        <label>{{t.report_month}} <input name="month" value="{{month}}" size="8" maxlength="7"></label>
        <button type="submit">{{t.filter_apply}}</button>
        <a href="{{download}}" id="roll-csv">{{t.roll_download}}</a>
        <a href="{{download_summary}}" id="roll-summary-csv">{{t.roll_download_summary}}</a>
        {{#can_lock}}<a href="{{lock_link}}" id="roll-lock">{{t.roll_lock}}</a>{{/can_lock}}
        </form>
        <p class="hint">{{t.roll_numbers_hint}}</p>
        {{>roll_facts}}
        <h2>{{t.roll_subtotals}}</h2>
        <table>
        <thead><tr><th>{{t.roll_col_level}}</th><th>{{t.col_township}}</th><th class="num">{{t.roll_col_lines}}</th>
        <th class="num">{{t.roll_col_persons}}</th><th class="num">{{t.roll_col_total}}</th>
        <th class="num">{{t.roll_col_without_card}}</th><th class="num">{{t.roll_col_recovery}}</th></tr></thead>
        <tbody>
        {{#subtotals}}<tr><td>{{level}}</td><td>{{area}}</td><td class="num">{{lines}}</td><td class="num">{{persons}}</td>
        <td class="num">{{total}}</td><td class="num">{{without_card}}</td><td class="num">{{recoveries}}</td></tr>
        {{/subtotals}}
        </tbody>
        </table>
        {{/content}}
        {{/layout}}

        """

    /// The totals of a roll, on its page and on the lock's confirmation.
    static let rollFacts = """
        <dl class="facts">
        <dt>{{t.roll_lines}}</dt><dd>{{lines}}</dd>
        <dt>{{t.roll_total}}</dt><dd>{{total}}</dd>
        <dt>{{t.roll_regular}}</dt><dd>{{regular}}</dd>
        <dt>{{t.roll_back_pay}}</dt><dd>{{back_pay}}</dd>
        <dt>{{t.roll_without_card}}</dt><dd>{{without_card}} · {{without_card_total}}</dd>
        <dt>{{t.roll_recovery}}</dt><dd>{{recoveries}} · {{recovery_total}}</dd>
        <dt>{{t.roll_rows}}</dt><dd>{{rows}} · {{rows_total}}</dd>
        {{#left_out}}<dt>{{t.roll_left_out}}</dt><dd>{{reason}}: {{count}}</dd>{{/left_out}}
        </dl>

        """

    /// The confirmation before a roll is locked: the totals that will be recorded as paid.
    static let lock = """
        {{<layout}}
        {{$title}}{{t.lock_title}}{{/title}}
        {{$content}}
        <p><a href="/desk/roll?month={{month}}">{{t.back}}</a></p>
        <h1>{{t.lock_title}} · {{month}}</h1>
        <p class="hint">{{t.lock_intro}}</p>
        {{>roll_facts}}
        {{#can_lock}}
        <form method="post" action="/desk/roll/lock" class="resolve">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="month" value="{{month}}">
        <input type="hidden" name="totals" value="{{totals}}">
        <button type="submit" id="lock-confirm">{{t.lock_confirm}}</button>
        </form>
        {{/can_lock}}
        {{/content}}
        {{/layout}}

        """
}
