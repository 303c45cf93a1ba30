extension DeskTemplates {
    /// Every page's frame: the bar (the desk's pages, who is logged in, logout, the other language)
    /// and a notice or an error above the page's own content.
    static let layout = """
        <!doctype html>
        <html lang="{{html_lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{$title}}{{/title}} · {{t.app_name}}</title>
        <link rel="stylesheet" href="/desk/assets/desk.css">
        </head>
        <body>
        <header class="bar">
        <span class="brand">{{t.app_name}}</span>
        {{#user}}
        <nav>
        <a href="/desk/overview">{{t.nav_overview}}</a>
        <a href="/desk/conflicts">{{t.nav_conflicts}}</a>
        <a href="/desk/bulk">{{t.nav_bulk}}</a>
        <a href="/desk/cases">{{t.nav_cases}}</a>
        <a href="/desk/report">{{t.nav_report}}</a>
        {{#county}}<a href="/desk/roll">{{t.nav_roll}}</a>
        <a href="/desk/quarantine">{{t.nav_quarantine}}</a>
        <a href="/desk/leads">{{t.nav_leads}}</a>
        <a href="/desk/audit">{{t.nav_audit}}</a>{{/county}}
        </nav>
        <span class="who">{{name}} · {{role}}{{#township}} · {{.}}{{/township}}</span>
        <form method="post" action="/desk/logout" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">{{t.logout}}</button>
        </form>
        {{/user}}
        <a class="lang" href="{{language_link}}">{{t.other_language}}</a>
        </header>
        <main>
        {{#notice}}<p class="notice">{{.}}</p>{{/notice}}
        {{#error}}<p class="error" role="alert">{{.}}</p>{{/error}}
        {{$content}}{{/content}}
        </main>
        </body>
        </html>

        """

    /// A refusal or failure, with a way back.
    static let error = """
        {{<layout}}
        {{$title}}{{heading}}{{/title}}
        {{$content}}
        <h1>{{heading}}</h1>
        <p>{{message}}</p>
        <p><a href="{{back}}">{{t.back}}</a></p>
        {{/content}}
        {{/layout}}

        """
}
