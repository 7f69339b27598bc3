/** The console's stylesheet: readable type, clear status colours, and a layout that holds at phone width. */
export const CONSOLE_CSS = `
:root {
  --ink: #1d2330; --muted: #5d6778; --line: #dfe3ea; --bg: #f6f7f9; --card: #fff;
  --accent: #2452c8; --p1: #b42318; --p2: #c2570c; --p3: #8a6d00; --ok: #1f7a3f; --warn: #9a5b00;
  --radius: 8px; font-size: 16px;
}
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em; }
code { background: #eef1f6; padding: 0 0.25em; border-radius: 4px; }
pre { background: #eef1f6; padding: 0.6em; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; }
.top { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: center; padding: 0.6rem 1rem; background: #141a26; color: #fff; }
.top a { color: #fff; text-decoration: none; }
.brand { font-weight: 700; font-size: 1.15rem; letter-spacing: 0.02em; }
.top nav { display: flex; gap: 1rem; align-items: center; flex: 1; }
.who { display: flex; gap: 0.5rem; align-items: center; margin: 0; }
.who .link { color: #c9d4ff; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem; overflow-wrap: anywhere; }
.columns > *, .actions > *, .facts dd { min-width: 0; }
h1 { font-size: 1.5rem; margin: 0.4rem 0 0.8rem; line-height: 1.25; }
h2 { font-size: 1.05rem; margin: 0 0 0.6rem; }
.hint, .meta, .empty { color: var(--muted); }
.meta { font-size: 0.875rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem; margin: 0 0 1rem; }
.card.behind { border-left: 4px solid var(--warn); } .card.behind h2 { color: var(--warn); margin-top: 0; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(300px, 100%), 1fr)); gap: 1rem; }
.actions { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(300px, 100%), 1fr)); gap: 0 1rem; }
.button { display: inline-block; border: 1px solid var(--line); background: #fff; color: var(--ink); padding: 0.4rem 0.8rem; border-radius: 6px; font: inherit; cursor: pointer; text-decoration: none; }
.button:hover { border-color: var(--accent); }
.button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
.button.danger { background: var(--p1); border-color: var(--p1); color: #fff; }
.button[disabled] { opacity: 0.5; cursor: not-allowed; }
.top .button.primary { padding: 0.25rem 0.7rem; }
button.link { background: none; border: 0; padding: 0; font: inherit; text-decoration: underline; cursor: pointer; }
form.inline { display: inline; margin: 0; }
.row { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0 0 0.5rem; }
input, select, textarea { font: inherit; padding: 0.4rem 0.5rem; border: 1px solid #c5ccd8; border-radius: 6px; background: #fff; max-width: 100%; }
textarea { width: 100%; display: block; margin: 0 0 0.5rem; }
.form label { display: block; margin: 0 0 0.8rem; font-weight: 600; }
.form label input, .form label textarea, .form label select { display: block; width: 100%; margin-top: 0.25rem; font-weight: 400; }
.form fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 0.8rem; }
.form label.radio, .form label.check { font-weight: 400; display: flex; gap: 0.5rem; align-items: baseline; }
.form label.radio input, .form label.check input { display: inline; width: auto; margin: 0; }
.narrow { max-width: 420px; }
.field-error { color: var(--p1); margin: -0.5rem 0 0.8rem; font-weight: 600; }
.badge { display: inline-block; font-size: 0.75rem; font-weight: 700; text-transform: uppercase; letter-spacing: 0.03em; padding: 0.1rem 0.45rem; border-radius: 999px; background: #e8ebf1; color: var(--ink); vertical-align: middle; }
.prio-p1 { background: var(--p1); color: #fff; } .prio-p2 { background: var(--p2); color: #fff; } .prio-p3 { background: #f3e6a8; color: #4d3d00; }
.status-triggered { background: #fde2e1; color: var(--p1); } .status-acknowledged { background: #fdebd3; color: var(--warn); } .status-resolved { background: #dcf3e3; color: var(--ok); }
.incidents { list-style: none; padding: 0; margin: 0 0 1.5rem; }
.incident-row { display: flex; flex-wrap: wrap; gap: 0.25rem 0.6rem; align-items: center; background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: var(--radius); padding: 0.6rem 0.8rem; margin-bottom: 0.5rem; }
.incident-row .title { font-weight: 600; flex: 1 1 12rem; }
.incident-row .meta { flex-basis: 100%; }
.resolved .incident-row { opacity: 0.8; }
.incident-head { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
.incident-head h1 { flex-basis: 100%; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem; }
.facts dt { color: var(--muted); font-weight: 600; } .facts dd { margin: 0; }
.pre { white-space: pre-wrap; }
.role { display: inline-block; margin-right: 0.6rem; } .role.missing { color: var(--p1); font-weight: 600; }
.timeline { list-style: none; padding: 0; margin: 0; }
.entry { padding: 0.35rem 0; border-bottom: 1px solid var(--line); display: flex; flex-wrap: wrap; gap: 0 0.5rem; }
.entry time { color: var(--muted); font-size: 0.875rem; min-width: 11rem; }
.cat-decision.badge { background: #e4e9ff; color: #213b99; } .cat-action.badge { background: #fdebd3; color: var(--warn); }
.cat-result.badge { background: #dcf3e3; color: var(--ok); } .cat-discussion.badge { background: #efe3fb; color: #5b2a86; }
.effects { list-style: none; padding: 0; margin: 0; }
.effect { padding: 0.2rem 0; } .effect-done .badge { background: #dcf3e3; color: var(--ok); } .effect-failed .badge { background: #fde2e1; color: var(--p1); }
.effect-pending .badge, .effect-in_flight .badge { background: #fdebd3; color: var(--warn); }
.try-again .button { padding: 0.1rem 0.5rem; margin-top: 0.2rem; }
.try-all { margin-bottom: 0.6rem; }
.error { color: var(--p1); font-size: 0.875rem; }
.messages, .thread { list-style: none; padding: 0; margin: 0; }
.message { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 0.6rem 0.8rem; margin-bottom: 0.5rem; overflow-wrap: anywhere; }
.message.private { border-style: dashed; background: #fbfcff; }
.message .by { font-size: 0.875rem; color: var(--muted); } .message .by strong { color: var(--ink); }
.thread { margin: 0.5rem 0 0 1rem; border-left: 3px solid var(--line); padding-left: 0.6rem; }
.markup p { margin: 0.15rem 0; } .markup blockquote, blockquote { margin: 0.3rem 0; padding-left: 0.7rem; border-left: 3px solid #c5ccd8; color: #343c4a; }
.person { font-weight: 600; color: #213b99; }
.message .heading { margin: 0.2rem 0; font-size: 1.02rem; }
.fields { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 0.8rem; margin: 0.3rem 0; }
.fields dt { color: var(--muted); font-weight: 600; } .fields dd { margin: 0; min-width: 0; }
.entry.src-herald .text { color: var(--muted); }
.buttons { display: flex; flex-wrap: wrap; gap: 0.4rem; margin-top: 0.5rem; }
.topic { color: var(--muted); margin-top: 0; }
.room-head { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; justify-content: space-between; }
.command-box { display: flex; gap: 0.5rem; padding: 0.6rem 0; background: var(--bg); }
.command-box.sticky { position: sticky; bottom: 0; }
details summary { cursor: pointer; color: var(--muted); }
.command-box input { flex: 1; min-width: 0; }
.rooms li { margin: 0.3rem 0; }
.file summary { cursor: pointer; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
@media (max-width: 600px) {
  main { padding: 0.6rem; }
  .facts { grid-template-columns: 1fr; } .facts dt { margin-top: 0.3rem; }
  .entry time { min-width: 0; }
  .top nav { flex-basis: 100%; order: 3; }
}
`;

/**
 * Polls the page's live part (`#live[data-live]`) every two seconds and swaps it in when it changed:
 * new messages, timeline entries and effects appear without reloading. Short polling works the same
 * on Node and on Workers; the server answers 304 when nothing changed.
 */
export const LIVE_JS = `
(function () {
  var el = document.getElementById("live");
  if (!el || !el.dataset.live) return;
  var tag = null;
  var ticks = 0;
  function tick() {
    // A page in the background looks every ten seconds instead of every two.
    if (document.hidden && ticks++ % 5 !== 0) return;
    var headers = tag ? { "If-None-Match": tag } : {};
    fetch(el.dataset.live, { headers: headers, credentials: "same-origin" }).then(function (r) {
      if (r.status !== 200) return;
      var next = r.headers.get("ETag");
      return r.text().then(function (html) {
        // The first answer is swapped in too: the page may have changed since it was served.
        var phase = el.querySelector("[data-phase]");
        var before = phase && phase.getAttribute("data-phase");
        if (next !== tag) el.innerHTML = html;
        tag = next;
        // Resolved (or reopened) meanwhile: the page's actions change with it, so the page is reloaded.
        var now = el.querySelector("[data-phase]");
        if (before && now && now.getAttribute("data-phase") !== before) location.reload();
      });
    }).catch(function () {});
  }
  tick();
  setInterval(tick, 2000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) tick(); });
})();
`;
