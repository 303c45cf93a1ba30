extension DeskTemplates {
    /// The county (or a reviewer's township) at a glance.
    static let overview = """
        {{<layout}}
        {{$title}}{{t.overview_title}}{{/title}}
        {{$content}}
        <h1>{{t.overview_title}}{{#scope}} · {{.}}{{/scope}}</h1>
        <section class="cards">
        <a class="card" href="/desk/conflicts"><b>{{open_conflicts}}</b> {{t.overview_open_conflicts}}</a>
        {{#county}}
        <a class="card" href="/desk/quarantine"><b>{{quarantined}}</b> {{t.overview_quarantined}}</a>
        <a class="card" href="/desk/leads"><b>{{open_leads}}</b> {{t.overview_open_leads}}</a>
        <a class="card" href="/desk/roll">{{t.overview_last_roll}} <b>{{last_roll}}</b> · <span>{{roll_state}}</span></a>
        {{/county}}
        </section>
        <div class="columns">
        <section>
        <h2>{{t.overview_by_township}}</h2>
        <table>
        <thead><tr><th>{{t.col_township}}</th><th class="num">{{t.col_open_conflicts}}</th></tr></thead>
        <tbody>
        {{#by_township}}<tr><td><a href="{{link}}">{{code}}</a></td><td class="num">{{count}}</td></tr>{{/by_township}}
        {{^by_township}}<tr><td colspan="2">{{t.none}}</td></tr>{{/by_township}}
        </tbody>
        </table>
        </section>
        <section>
        <h2>{{t.overview_by_age}}</h2>
        <table>
        <thead><tr><th>{{t.col_age}}</th><th class="num">{{t.col_open_conflicts}}</th></tr></thead>
        <tbody>
        {{#by_age}}<tr><td><a href="{{link}}">{{label}}</a></td><td class="num">{{count}}</td></tr>{{/by_age}}
        </tbody>
        </table>
        </section>
        </div>
        <h2>{{t.overview_nodes}}</h2>
        <table>
        <thead><tr><th>{{t.col_node}}</th><th>{{t.col_scope}}</th><th>{{t.col_last_sync}}</th>
        <th class="num">{{t.col_lag}}</th><th class="num">{{t.col_skew}}</th><th>{{t.col_state}}</th></tr></thead>
        <tbody>
        {{#nodes}}<tr class="{{state_class}}"><td>{{name}}</td><td>{{scope}}</td><td>{{last_sync}}</td>
        <td class="num">{{lag}}</td><td class="num">{{skew}}</td><td>{{state}}</td></tr>{{/nodes}}
        {{^nodes}}<tr><td colspan="6">{{t.none}}</td></tr>{{/nodes}}
        </tbody>
        </table>
        {{/content}}
        {{/layout}}

        """
}
