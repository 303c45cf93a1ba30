extension DeskTemplates {
    /// Bulk resolution: the list's filters and a choice (a GET form, so a preview is a link), the
    /// preview of every conflict that changes and to what, and the form that applies exactly it.
    static let bulk = """
        {{<layout}}
        {{$title}}{{t.bulk_title}}{{/title}}
        {{$content}}
        <p><a href="/desk/conflicts">{{t.back_to_list}}</a></p>
        <h1>{{t.bulk_title}}</h1>
        <p class="hint">{{t.bulk_intro}}</p>
        <form method="get" action="/desk/bulk" class="filters">
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
        <label>{{t.bulk_choice}} <select name="choice" required>
        {{#choices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/choices}}
        </select></label>
        <button type="submit" id="bulk-preview">{{t.bulk_preview}}</button>
        </form>
        {{#changes}}
        <section class="changed" role="alert">
        <h2>{{t.bulk_changed_title}}</h2>
        <ul>{{#lines}}<li>{{.}}</li>{{/lines}}</ul>
        </section>
        {{/changes}}
        {{#preview}}
        <h2>{{t.bulk_preview_title}}{{#choice_label}} · {{.}}{{/choice_label}}</h2>
        <p class="count">{{summary}}</p>
        {{#more}}<p class="hint">{{.}}</p>{{/more}}
        <table class="bulk">
        <thead><tr><th>{{t.col_conflict}}</th><th>{{t.col_village}}</th><th>{{t.col_rule}}</th>
        <th>{{t.col_kind}}</th><th class="num">{{t.col_values}}</th><th>{{t.bulk_col_now}}</th>
        <th>{{t.bulk_col_written}}</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td><a href="{{link}}">{{id}}</a></td><td>{{village}}</td><td>{{rule}}</td><td>{{field}}</td>
        <td class="num">{{competing}}</td><td>{{shown}}</td><td class="value">{{chosen}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="7">{{t.bulk_none}}</td></tr>{{/rows}}
        </tbody>
        </table>
        {{#has_skipped}}<h3>{{t.bulk_skipped_title}}</h3>
        <ul class="skipped">{{#skipped}}<li><a href="{{link}}">{{id}}</a>: {{reason}}</li>{{/skipped}}</ul>
        {{/has_skipped}}
        {{#can_apply}}
        <form method="post" action="/desk/bulk" class="resolve">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="choice" value="{{choice}}">
        <input type="hidden" name="digest" value="{{digest}}">
        <input type="hidden" name="rows" value="{{fingerprints}}">
        {{#hidden}}<input type="hidden" name="{{name}}" value="{{value}}">{{/hidden}}
        <label class="note">{{t.resolve_note}} <textarea name="note" rows="2" cols="60" maxlength="500"
        required></textarea></label>
        <button type="submit" id="bulk-apply">{{t.bulk_apply}}</button>
        </form>
        {{/can_apply}}
        {{/preview}}
        {{/content}}
        {{/layout}}

        """
}
