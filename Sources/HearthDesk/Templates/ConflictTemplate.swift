extension DeskTemplates {
    /// One conflict three ways, field by field, and the form that settles it.
    static let conflict = """
        {{<layout}}
        {{$title}}{{id}}{{/title}}
        {{$content}}
        <p><a href="/desk/conflicts">{{t.back_to_list}}</a></p>
        <h1>{{id}}</h1>
        {{#changes}}
        <section class="changed" role="alert">
        <h2>{{t.changed_title}}</h2>
        <ul>{{#lines}}<li>{{.}}</li>{{/lines}}</ul>
        </section>
        {{/changes}}
        <dl class="facts">
        <dt>{{t.conflict_record}}</dt><dd>{{record}}</dd>
        <dt>{{t.conflict_field}}</dt><dd>{{field}}</dd>
        <dt>{{t.conflict_village}}</dt><dd>{{village}}</dd>
        <dt>{{t.conflict_state}}</dt><dd>{{state}}</dd>
        <dt>{{t.conflict_rule}}</dt><dd>{{rule_id}} {{rule_title}}</dd>
        <dt>{{t.conflict_why}}</dt><dd>{{rule_reason}}</dd>
        <dt>{{t.conflict_shown}}</dt><dd>{{shown}}</dd>
        </dl>
        <form method="post" action="{{action}}">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="version" value="{{version}}">
        <table class="three-way">
        <thead><tr><th></th><th>{{t.col_value}}</th><th>{{t.col_written_by}}</th><th>{{t.col_replica}}</th>
        <th>{{t.col_rank}}</th><th>{{t.col_time}}</th><th>{{t.col_reason}}</th>
        {{#has_effects}}<th>{{t.col_pays}}</th>{{/has_effects}}</tr></thead>
        <tbody>
        <tr class="base"><td>{{t.conflict_base}}</td><td colspan="{{base_span}}">{{base}}</td></tr>
        {{#candidates}}<tr>
        <td>{{#can_resolve}}<label><input type="radio" name="choice" value="pick-{{number}}" required>
        {{number}}</label>{{/can_resolve}}{{^can_resolve}}{{number}}{{/can_resolve}}</td>
        <td class="value">{{value}}</td><td>{{author}}</td><td>{{replica}}</td><td>{{rank}}</td>
        <td>{{time}}</td><td>{{reason}}</td>
        {{#has_effects}}<td class="pays">{{#pays}}<div>{{.}}</div>{{/pays}}</td>{{/has_effects}}</tr>{{/candidates}}
        </tbody>
        </table>
        {{#can_resolve}}
        <fieldset class="resolve">
        <legend>{{t.resolve_title}}</legend>
        {{#has_county}}<label><input type="radio" name="choice" value="county"> {{t.resolve_county}}</label>
        {{/has_county}}
        <label><input type="radio" name="choice" value="value"> {{t.resolve_value}}</label>
        <input name="value" maxlength="500" size="40" aria-label="{{t.resolve_value}}">
        <span class="hint">{{value_hint}}</span>
        <label class="note">{{t.resolve_note}} <textarea name="note" rows="2" cols="60" maxlength="500"
        required></textarea></label>
        <button type="submit">{{t.resolve_submit}}</button>
        </fieldset>
        {{/can_resolve}}
        {{^can_resolve}}<p class="readonly">{{t.resolve_read_only}}</p>{{/can_resolve}}
        </form>
        {{/content}}
        {{/layout}}

        """
}
