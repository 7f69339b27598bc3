import { harness } from "#harness";
import { describe, expect, it } from "vitest";
import { deliveries } from "../support/fixtures.js";
import { signedDelivery } from "../support/signed.js";
import heraldYaml from "../../herald.yaml?raw";

// Issue 9: a security incident raised by an alarm must say where to report the breach, as one declared in chat does.
describe(`a security incident from a PagerDuty alarm (${harness.runtime})`, () => {
  it("is matched to the configured security service by its name, and its summary says where to report the breach", async () => {
    const herald = await harness.start({ chat: "local" });
    const triggered = JSON.parse(deliveries["zulip_triggered_v3.json"]!);
    Object.assign(triggered.event, { id: "E-SEC-1", occurred_at: new Date().toISOString() });
    triggered.event.data.service = { ...triggered.event.data.service, id: "PSECURE", summary: "Security - Modernisation Platform" };
    expect((await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(triggered)))).status).toBe(202);
    await herald.settle();
    const summary = herald.printed().find((line) => line.includes(":rotating_light:"));
    // The shipped herald.yaml leaves the destination to fill in, and says which setting it is.
    expect(summary).toContain(":lock: Also report it to the security team as a security incident. Report it here: (where: not configured yet; set `security_report_to` in herald.yaml)");

    // Another service's alarm does not.
    const other = JSON.parse(deliveries["zulip_triggered_v3.json"]!);
    Object.assign(other.event, { id: "E-NET-1", occurred_at: new Date().toISOString() });
    Object.assign(other.event.data, { id: "PNET0001", number: 77 });
    await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(other)));
    await herald.settle();
    const summaries = herald.printed().filter((line) => line.includes(":rotating_light:"));
    expect(summaries).toHaveLength(2);
    expect(summaries[1]).not.toContain(":lock:");
  });

  it("links where the breach is reported once security_report_to is filled in", async () => {
    const config = heraldYaml.replace("security_report_to: null", "security_report_to: https://security.example.com/report");
    const herald = await harness.start({ chat: "local", config });
    const triggered = JSON.parse(deliveries["zulip_triggered_v3.json"]!);
    Object.assign(triggered.event, { id: "E-SEC-2", occurred_at: new Date().toISOString() });
    triggered.event.data.service = { ...triggered.event.data.service, id: "PSECURE", summary: "Security - Modernisation Platform" };
    await herald.request("/webhooks/pagerduty", await signedDelivery(JSON.stringify(triggered)));
    await herald.settle();
    const summary = herald.printed().find((line) => line.includes(":rotating_light:"));
    expect(summary).toContain("Report it here: <https://security.example.com/report>");
  });
});
