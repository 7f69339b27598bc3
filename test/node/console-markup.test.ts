import { describe, expect, it } from "vitest";
import { Markup } from "../../src/chat/console/markup.js";
import { markupAsText } from "../../src/chat/markup-tokens.js";

const html = async (text: string) => String(await (Markup({ text, roomHref: (ref) => (ref.startsWith("console:") ? `/console/rooms/${ref.slice(8)}` : null) }) as Promise<string>));

describe("the chat markup in the console", () => {
  it("renders people, rooms, links, emphasis, code, quotes and emoji", async () => {
    const out = await html(":rotating_light: *P1 incident: <@ada|ada> leads* in <#console:inc-1> and <#C0123>\n>quoted `code` _em_ ~gone~ <https://example.com/a?b=1&amp;c=2|the page>");
    expect(out).toBe(
      '<div class="markup"><p>🚨 <strong>P1 incident: <span class="person">@ada</span> leads</strong> in <a class="room" href="/console/rooms/inc-1">#inc-1</a> and <span class="room">#C0123</span></p>' +
        '<blockquote>quoted <code>code</code> <em>em</em> <s>gone</s> <a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer" target="_blank">the page</a></blockquote></div>',
    );
  });

  it("shows escaped user text as text: no tag, no link, no ping", async () => {
    const out = await html("Title: &lt;script&gt;alert(1)&lt;/script&gt; &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp;amp;");
    expect(out).toBe('<div class="markup"><p>Title: &lt;script&gt;alert(1)&lt;/script&gt; &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp;amp;</p></div>');
    // Only http(s) and mailto links become links; anything else stays text.
    expect(await html("<javascript:alert(1)|x>")).not.toContain("href");
  });

  it("keeps code blocks whole", async () => {
    expect(await html("before\n```BEGIN:VCALENDAR\nEND:VCALENDAR```\nafter")).toBe(
      '<div class="markup"><p>before</p><pre>BEGIN:VCALENDAR\nEND:VCALENDAR</pre><p>after</p></div>',
    );
  });
});

describe("the chat markup as plain text", () => {
  it("reads formatting, people, rooms, links and emoji as a person reads them, on one line", () => {
    expect(markupAsText(":rotating_light: *P1 incident 7: <@U1|ada> leads* in <#C0123|inc-7>\n>quoted `code` _em_ ~gone~ <https://example.com/a?b=1&amp;c=2|the page> <!here>")).toBe(
      "🚨 P1 incident 7: @ada leads in #inc-7 quoted code em gone the page @here",
    );
  });

  it("gives escaped user text back as it was written, to be escaped again where it is quoted", () => {
    expect(markupAsText("Title: &lt;script&gt; &#42;not bold&#42; &amp;amp; <https://x.example>")).toBe("Title: <script> *not bold* &amp; https://x.example");
  });
});
