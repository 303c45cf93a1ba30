/// The desk's one stylesheet, served by the hub at `/desk/assets/desk.css`: no framework, no
/// external font, dense tables that fit a 1366×768 screen.
enum DeskStylesheet {
    static let css = """
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC",
          sans-serif; color: #1d2329; background: #f5f6f7; }
        .bar { display: flex; align-items: center; gap: 16px; padding: 6px 16px; background: #1f3a5f; color: #fff; }
        .bar a, .bar button { color: #fff; }
        .bar nav { display: flex; gap: 12px; }
        .brand { font-weight: 600; }
        .who { margin-left: auto; opacity: .9; }
        .lang { font-size: 13px; }
        form.inline { display: inline; margin: 0; }
        .bar button { background: transparent; border: 1px solid #fff6; border-radius: 3px; padding: 2px 8px;
          cursor: pointer; font: inherit; }
        main { max-width: 1340px; margin: 0 auto; padding: 12px 16px 32px; }
        h1 { font-size: 20px; margin: 8px 0 12px; }
        h2 { font-size: 16px; margin: 16px 0 6px; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { border: 1px solid #d5d9de; padding: 3px 6px; text-align: left; vertical-align: top; }
        th { background: #eceff2; font-weight: 600; white-space: nowrap; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.value { font-weight: 600; }
        tr.base td { background: #f7f7ee; }
        tr.warn td { background: #fff4e0; }
        .cards { display: flex; flex-wrap: wrap; gap: 10px; }
        .card { background: #fff; border: 1px solid #d5d9de; border-radius: 4px; padding: 8px 12px;
          color: inherit; text-decoration: none; }
        .card b { font-size: 18px; }
        .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
        .filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center; margin-bottom: 8px; }
        .count { margin: 4px 0; color: #4a5560; }
        .pager { display: flex; gap: 12px; margin-top: 8px; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 12px; }
        .facts dt { color: #4a5560; }
        .facts dd { margin: 0; }
        fieldset.resolve { margin-top: 12px; background: #fff; border: 1px solid #d5d9de; }
        fieldset.resolve label { margin-right: 12px; }
        label.note { display: block; margin: 8px 0; }
        .hint { color: #4a5560; font-size: 12px; }
        .notice { background: #e6f4ea; border: 1px solid #9ccfa8; padding: 6px 10px; }
        .error { background: #fdecea; border: 1px solid #e6a29b; padding: 6px 10px; }
        .changed { background: #fff4e0; border: 1px solid #e0b46a; padding: 4px 12px; margin-bottom: 12px; }
        .readonly { color: #4a5560; }
        form.login { display: grid; gap: 10px; max-width: 320px; background: #fff; padding: 16px;
          border: 1px solid #d5d9de; }
        form.login input { width: 100%; }
        tr.differ td { background: #fff4e0; }
        tr.total td { font-weight: 600; background: #f0f3f6; }
        form.settle { display: flex; flex-wrap: wrap; gap: 4px; margin: 0; }
        form.resolve fieldset { background: #fff; border: 1px solid #d5d9de; }
        form.resolve fieldset label { margin-right: 12px; }
        ul.skipped { margin: 4px 0 12px; }
        """
}
