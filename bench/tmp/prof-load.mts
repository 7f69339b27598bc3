import autocannon from "autocannon";
import { createHmac } from "node:crypto";
const SECRET = "bench-slack-signing-secret";
let n = 0;
function make() {
  const body = new URLSearchParams({ token: "legacy", team_id: "T0BENCH", channel_id: "C0BENCH", channel_name: "ops", user_id: "U0BENCH", user_name: "bench", command: "/incident", text: "help", response_url: "https://hooks.slack.com/commands/T0BENCH/1/abc", trigger_id: `bench.${++n}`, api_app_id: "A0HERALD" }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac("sha256", SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return { path: process.env.P ?? "/slack/commands", body, headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": timestamp, "x-slack-signature": signature } };
}
const pool = Array.from({ length: 250000 }, make);
let k = 0;
const r = await autocannon({ url: "http://127.0.0.1:3999", connections: 20, duration: 8, requests: [{ method: "POST", setupRequest: (req) => ({ ...req, ...pool[k++ % pool.length] }) }] });
console.log(r.requests.average, r.latency.p99, r.non2xx);
