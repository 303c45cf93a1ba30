extension DeskTemplates {
    /// The login form; its CSRF token is bound to the login cookie the same page sets.
    static let login = """
        {{<layout}}
        {{$title}}{{t.login_title}}{{/title}}
        {{$content}}
        <h1>{{t.login_title}}</h1>
        <form method="post" action="/desk/login" class="login">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>{{t.login_name}} <input name="name" value="{{name}}" autocomplete="username" required
        maxlength="32" autofocus></label>
        <label>{{t.login_password}} <input name="password" type="password" autocomplete="current-password"
        required maxlength="72"></label>
        <button type="submit">{{t.login_submit}}</button>
        </form>
        {{/content}}
        {{/layout}}

        """
}
