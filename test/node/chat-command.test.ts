import { describe, expect, it } from "vitest";
import { GRAMMAR, helpText, parseChatCommand, parseUser } from "../../src/domain/chat-command.js";

const context = { priorities: ["P1", "P2", "P3"], services: ["networking", "operations", "security"], roles: ["comms"], thirdParties: ["aws"] };
const parse = (text: string) => parseChatCommand(text, context);
const command = (text: string) => {
  const parsed = parse(text);
  if (!parsed.ok) throw new Error(`expected ${text} to parse: ${parsed.error}`);
  return parsed.command;
};
const error = (text: string) => {
  const parsed = parse(text);
  if (parsed.ok) throw new Error(`expected ${text} to be refused`);
  return parsed.error;
};

describe("the chat command grammar", () => {
  it("parses every example in the help, typed as a platform sends it (a picked @person arrives as a mention)", () => {
    for (const line of GRAMMAR) {
      const sent = line.example.replace(/@(\w+)/g, "<@U0$1|$1>");
      expect(parse(sent).ok, sent).toBe(true);
    }
  });

  it("reads each command's arguments", () => {
    expect(command("")).toEqual({ name: "help" });
    expect(command("declare")).toEqual({ name: "declare", quick: null });
    expect(command("declare p2 Networking VPC peering is down")).toEqual({
      name: "declare",
      quick: { priority: "P2", service: "networking", title: "VPC peering is down" },
    });
    expect(command("not-incident planned work overran")).toEqual({ name: "not-incident", reason: "planned work overran" });
    expect(command("lead me")).toEqual({ name: "assign", role: "lead", who: { kind: "me" }, takeOver: false });
    expect(command("lead me --take-over")).toEqual({ name: "assign", role: "lead", who: { kind: "me" }, takeOver: true });
    expect(command("scribe <@U0123ABC|ada>")).toEqual({ name: "assign", role: "scribe", who: { kind: "user", id: "U0123ABC", name: "ada" }, takeOver: false });
    expect(command("scribe <@U0123ABC>")).toEqual({ name: "assign", role: "scribe", who: { kind: "user", id: "U0123ABC", name: null }, takeOver: false });
    expect(command("role Comms <@U0ADA|ada>")).toEqual({ name: "assign", role: "comms", who: { kind: "user", id: "U0ADA", name: "ada" }, takeOver: false });
    expect(command("ticket aws")).toEqual({ name: "ticket-help", thirdParty: "aws" });
    expect(command("checkin every 30")).toEqual({ name: "checkin", everyMinutes: 30 });
    expect(command("checkin every 45 minutes")).toEqual({ name: "checkin", everyMinutes: 45 });
    expect(command("checkin off")).toEqual({ name: "checkin", everyMinutes: null });
    expect(command("note decision: roll back")).toEqual({ name: "note", category: "decision", text: "roll back" });
    expect(command("note: disk might be full. yyy to investigate")).toEqual({ name: "note", category: "event", text: "disk might be full. yyy to investigate" });
    expect(command("note Result:  disk was full")).toEqual({ name: "note", category: "result", text: "disk was full" });
    expect(command("note https://grafana.example/d/1 shows the spike")).toEqual({ name: "note", category: "event", text: "https://grafana.example/d/1 shows the spike" });
    expect(command("ticket AWS 1234567890 https://console.aws.amazon.com/support/home#/case/?caseId=1")).toEqual({
      name: "ticket",
      thirdParty: "aws",
      caseId: "1234567890",
      url: "https://console.aws.amazon.com/support/home#/case/?caseId=1",
    });
    expect(command("status publish")).toEqual({ name: "status", action: "publish" });
    expect(command("announce ask")).toEqual({ name: "announce", to: "ask" });
    expect(command("resolve --temporary restarted the NAT gateway")).toEqual({ name: "resolve", temporary: true, note: "restarted the NAT gateway" });
    expect(command("resolve replaced the route table")).toEqual({ name: "resolve", temporary: false, note: "replaced the route table" });
    expect(command("postmortem schedule tomorrow 14:00")).toEqual({ name: "postmortem-schedule", when: "tomorrow 14:00" });
    expect(command("runbook")).toEqual({ name: "runbook" });
  });

  it("refuses bad arguments with what is wrong, the usage and an example", () => {
    expect(error("declare P7 networking x")).toBe(
      "'P7' is not a priority (P1, P2, P3).\nUsage: `declare` (open the declare form)\nUsage: `declare <priority> <service> <title>`, for example `declare P2 networking VPC peering is down`",
    );
    expect(error("declare P2 storage disks")).toMatch(/^'storage' is not a service \(networking, operations, security\)\./);
    expect(error("declare P2 networking")).toMatch(/^The incident needs a title\./);
    expect(error("lead")).toMatch(/^Name one person, or say `lead me`\.\nUsage: `lead @user \| lead me \[--take-over\]`/);
    expect(error("lead ada")).toMatch(/^Name one person/);
    expect(error("scribe <@U1> <@U2>")).toMatch(/^Name one person/);
    expect(error("lead me --force")).toMatch(/^Name one person/);
    // A typed @name is no mention: it names no account, so that person could never act in the role.
    expect(error("lead @grace.hopper")).toMatch(/^'@grace\.hopper' is a typed name, not a mention: pick the person from the list that opens as you type @/);
    expect(error("role comms @ada")).toMatch(/^'@ada' is a typed name, not a mention/);
    expect(error("role pilot @ada")).toMatch(/^'pilot' is not a role \(comms; lead and scribe have their own commands\)\./);
    expect(error("checkin every 2")).toMatch(/^Give the cadence in minutes, from 5 to 1440, or `off`\./);
    expect(error("checkin sometimes")).toMatch(/^Give the cadence/);
    expect(error("note decison: typo")).toMatch(/^'decison' is not a category \(event, discussion, decision, action, result\)\./);
    expect(error("note")).toMatch(/^The note is empty\./);
    expect(error("note decision:")).toMatch(/^The note is empty\./);
    expect(error("ticket gcp 123")).toMatch(/^'gcp' has no escalation route \(aws\)\./);
    expect(error("ticket aws 123 not-a-link")).toMatch(/^'not-a-link' is not a link\./);
    expect(error("status maybe")).toMatch(/^Say `status draft` \(or `status draft <text>` to write it yourself\) or `status publish`\./);
    expect(error("announce everyone")).toMatch(/^Say where/);
    expect(error("resolve")).toMatch(/^Add a note on how it was resolved\./);
    expect(error("resolve --temporary")).toMatch(/^Add a note/);
    expect(error("resolve --force it")).toMatch(/^Unknown option --force\./);
    expect(error("postmortem schedule")).toMatch(/^Say when\./);
    expect(error("triage now")).toMatch(/^`triage` takes no arguments\./);
    expect(error("escalate P1")).toBe("Unknown command 'escalate'.");
  });

  it("lists every command in the help", () => {
    const help = helpText("/incident");
    expect(help.split("\n")).toHaveLength(GRAMMAR.length);
    expect(help).toContain("`/incident note [event|discussion|decision|action|result]: <text>` — add to the scribe's log");
  });

  it("reads users as Slack sends them or as typed", () => {
    expect(parseUser("ME")).toEqual({ kind: "me" });
    expect(parseUser("<@W012A3CDE|spengler>")).toEqual({ kind: "user", id: "W012A3CDE", name: "spengler" });
    expect(parseUser("@")).toBeNull();
    expect(parseUser("<!channel>")).toBeNull();
  });
});

describe("parseForm", () => {
  it("reads a form body as URLSearchParams does", async () => {
    const { parseForm } = await import("../../src/chat/slack/form.js");
    for (const body of [
      "token=x&team_id=T1&text=note+decision%3A+roll+back%20now&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1",
      "a=1&a=2&b=&c&&d=%E2%9C%93&e=%F0%9F%98%80+smile",
      "text=%3C%40U123%7Cada%3E+lead",
      "",
      "=nokey&x==y",
    ]) {
      expect({ ...parseForm(body) }, body).toEqual(Object.fromEntries(new URLSearchParams(body)));
    }
    // A malformed escape is kept as it stands; __proto__ is only a key.
    expect(parseForm("text=100%+sure")).toEqual(Object.assign(Object.create(null), { text: "100% sure" }));
    const polluted = parseForm("__proto__=x&constructor=y");
    expect(Object.getPrototypeOf(polluted)).toBeNull();
    expect(polluted.__proto__).toBe("x");
  });
});
