// Drives a running Herald through the official Svix JS SDK (HERALD_URL, HERALD_TOKEN): every resource Herald implements,
// webhooks verified with the SDK's and the standardwebhooks package's verifiers. Exits 1 on any failure.
import { Svix, Webhook, AutoConfig, AutoConfigConsumer } from "svix";
import { Webhook as StdWebhook } from "standardwebhooks";
import http from "node:http";

const server = process.env.HERALD_URL;
const svix = new Svix(process.env.HERALD_TOKEN, { serverUrl: server });
let failures = 0;
const received = [];
let secret = null;

const recv = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    received.push({ headers: req.headers, body, url: req.url });
    res.writeHead(req.url.includes("fail") ? 500 : 200);
    res.end("ok");
  });
});
await new Promise((r) => recv.listen(0, "127.0.0.1", r));
const port = recv.address().port;

// the SDK's name for a call: 2.x renamed some (update → upsert, updateHeaders → setHeaders) and dropped others
function sdk(api, ...names) {
  const found = names.find((n) => typeof api[n] === "function");
  return found ? api[found].bind(api) : undefined;
}
// a call this SDK version does not have: reported apart, not a failure of Herald's
async function ifSdkHas(name, fn, call) {
  if (!fn) { console.log("n/a  ", name, "(not in this SDK version)"); return undefined; }
  return step(name, call);
}
async function step(name, fn) {
  try {
    const out = await fn();
    console.log("ok   ", name, out === undefined ? "" : JSON.stringify(out).slice(0, 300));
    return out;
  } catch (e) {
    failures++;
    console.log("FAIL ", name, e?.code ?? "", e?.body ? JSON.stringify(e.body).slice(0, 300) : String(e).slice(0, 300));
    return undefined;
  }
}
function check(name, cond, detail) {
  if (!cond) { failures++; console.log("FAIL ", name, detail ?? ""); } else console.log("ok   ", name);
}

const uid = "probe-" + Date.now();
await step("health", () => svix.health.get());
const app = await step("app.create", () => svix.application.create({ name: "Probe", uid, metadata: { a: "b" }, rateLimit: 100 }));
await step("app.getOrCreate existing", () => svix.application.getOrCreate({ name: "Probe", uid }));
await step("app.getOrCreate new", () => svix.application.getOrCreate({ name: "Probe2", uid: uid + "-2" }));
const got = await step("app.get", () => svix.application.get(uid));
check("app.createdAt is Date", got?.createdAt instanceof Date && !isNaN(got.createdAt), String(got?.createdAt));
await step("app.update", () => sdk(svix.application, "update", "upsert")(uid, { name: "Probe U", uid, metadata: {} }));
await step("app.patch", () => svix.application.patch(uid, { name: "Probe P" }));
const apps = await step("app.list", () => svix.application.list({ limit: 2, order: "ascending" }));
await step("app.list page 2", () => svix.application.list({ limit: 2, iterator: apps?.iterator }));

await step("eventType.create", () => svix.eventType.create({ name: "invoice.paid", description: "Paid", schemas: { "1": { type: "object", properties: { id: { type: "string" } } } }, featureFlags: [], groupName: "billing" }));
await step("eventType.create 2", () => svix.eventType.create({ name: "invoice.voided", description: "Voided" }));
await step("eventType.get", () => svix.eventType.get("invoice.paid"));
await step("eventType.list", () => svix.eventType.list({ withContent: true, includeArchived: true }));
await step("eventType.update", () => sdk(svix.eventType, "update", "upsert")("invoice.paid", { description: "Paid!" }));
await step("eventType.patch", () => svix.eventType.patch("invoice.paid", { description: "Paid!!" }));
await step("eventType.delete (archive)", () => svix.eventType.delete("invoice.voided"));
await step("eventType.importOpenapi dry", () => svix.eventType.importOpenapi({ dryRun: true, spec: { openapi: "3.1.0", info: { title: "x", version: "1" }, webhooks: { "user.created": { post: { requestBody: { content: { "application/json": { schema: { type: "object" } } } } } } } } }));

const ep = await step("endpoint.create", () => svix.endpoint.create(uid, { url: `http://127.0.0.1:${port}/hook`, description: "probe", filterTypes: ["invoice.paid"], channels: ["ch1"], metadata: { k: "v" }, rateLimit: 50, uid: "ep-probe", headers: { "X-Extra": "1" } }));
const ep2 = await step("endpoint.create failing", () => svix.endpoint.create(uid, { url: `http://127.0.0.1:${port}/fail`, version: 1 }));
await step("endpoint.get by uid", () => svix.endpoint.get(uid, "ep-probe"));
await step("endpoint.list", () => svix.endpoint.list(uid, { limit: 10, order: "descending" }));
await step("endpoint.update", () => sdk(svix.endpoint, "update", "upsert")(uid, ep.id, { url: `http://127.0.0.1:${port}/hook`, filterTypes: ["invoice.paid"], channels: ["ch1"], description: "upd" }));
await step("endpoint.patch", () => svix.endpoint.patch(uid, ep.id, { description: "patched", channels: null }));
const sec = await step("endpoint.getSecret", () => svix.endpoint.getSecret(uid, ep.id));
secret = sec?.key;
await step("endpoint.getHeaders", () => svix.endpoint.getHeaders(uid, ep.id));
await step("endpoint.updateHeaders", () => sdk(svix.endpoint, "updateHeaders", "setHeaders")(uid, ep.id, { headers: { "X-Extra": "2" } }));
await step("endpoint.patchHeaders", () => svix.endpoint.patchHeaders(uid, ep.id, { headers: { "X-More": "3" }, deleteHeaders: [] }));
await step("endpoint.getStats", () => svix.endpoint.getStats(uid, ep.id, { since: new Date(Date.now() - 3600e3) }));
const withEndpoints = await step("app.list excludeAppsWithNoEndpoints", () => svix.application.list({ limit: 250, excludeAppsWithNoEndpoints: true, excludeAppsWithDisabledEndpoints: true }));
check("app.list: the app with endpoints kept, the one without left out", withEndpoints?.data?.some((a) => a.uid === uid) && !withEndpoints.data.some((a) => a.uid === uid + "-2"), JSON.stringify(withEndpoints?.data?.map((a) => a.uid)));

const msg = await step("message.create", () => svix.message.create(uid, { eventType: "invoice.paid", payload: { id: "in_1", amount: 1200 }, channels: ["ch1"], tags: ["t1"], eventId: "evt-1" }));
await step("message.create dup eventId -> 409", async () => { try { await svix.message.create(uid, { eventType: "invoice.paid", payload: {}, eventId: "evt-1" }); return "NO ERROR"; } catch (e) { return e.code + " " + JSON.stringify(e.body); } });
await step("message.create idempotent", () => svix.message.create(uid, { eventType: "invoice.paid", payload: { id: "in_2" } }, { idempotencyKey: "k1" }));
await step("message.create idempotent again", () => svix.message.create(uid, { eventType: "invoice.paid", payload: { id: "in_2" } }, { idempotencyKey: "k1" }));
// both SDK generations publish with with_content=false: Herald answers the payload as {} (1.x puts the caller's back)
const leanPublish = await step("message.create with_content=false", () => svix.message.create(uid, { eventType: "invoice.paid", payload: { lean: true } }, { withContent: false }));
check("message.create with_content=false: payload {}", leanPublish && Object.keys(leanPublish.payload).length === 0, JSON.stringify(leanPublish?.payload));
const full = await step("message.get withContent", () => svix.message.get(uid, msg.id, { withContent: true }));
check("message.get withContent: the payload stored whole", full?.payload?.id === "in_1" && full.payload.amount === 1200, JSON.stringify(full?.payload));
await step("message.get", () => svix.message.get(uid, msg.id));
await step("message.list", () => svix.message.list(uid, { limit: 5, withContent: false, eventTypes: ["invoice.paid"], since: new Date(Date.now() - 3600e3) }));
await step("message.precheck", () => svix.message.precheck(uid, { eventType: "invoice.paid" }));

await new Promise((r) => setTimeout(r, 2500));
check("webhooks received", received.length >= 1, "received " + received.length);
let verified = 0;
for (const r of received.filter((x) => x.headers["webhook-id"] === msg?.id && x.url === "/hook")) {
  try {
    const hdrs = r.headers["webhook-id"] ? { "svix-id": r.headers["webhook-id"], "svix-timestamp": r.headers["webhook-timestamp"], "svix-signature": r.headers["webhook-signature"] } : r.headers;
    new Webhook(secret).verify(r.body, hdrs);
    new StdWebhook(secret.replace(/^whsec_/, "")).verify(r.body, { "webhook-id": r.headers["webhook-id"], "webhook-timestamp": r.headers["webhook-timestamp"], "webhook-signature": r.headers["webhook-signature"] });
    verified++;
    check("endpoint headers sent", r.headers["x-extra"] === "2" && r.headers["x-more"] === "3", JSON.stringify(r.headers));
  } catch (e) { failures++; console.log("FAIL  verify", String(e), JSON.stringify(r.headers)); }
}

check("the message's webhook verified by the Svix SDK and standardwebhooks", verified >= 1, "verified " + verified);

// an endpoint given an Ed25519 key pair (Svix's own test key) signs v1a; its secret reads as the public key, which
// node's own Ed25519 verifies the signature with
const ed = await step("endpoint.create with an Ed25519 key", () => svix.endpoint.create(uid, { url: `http://127.0.0.1:${port}/ed25519`, filterTypes: ["invoice.paid"],
  secret: "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==" }));
const edPublic = (await step("endpoint.getSecret: the public key", () => svix.endpoint.getSecret(uid, ed.id)))?.key;
check("Ed25519 endpoint: its secret reads whpk_ and its public key", edPublic === "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=", edPublic);
const edMsg = await svix.message.create(uid, { eventType: "invoice.paid", payload: { signed: "ed25519" } });
for (let i = 0; i < 100 && !received.some((x) => x.url === "/ed25519" && x.headers["webhook-id"] === edMsg.id); i++) await new Promise((r) => setTimeout(r, 100));
const edArrived = received.find((x) => x.url === "/ed25519" && x.headers["webhook-id"] === edMsg.id);
await step("v1a signature verified by node:crypto with the public key", async () => {
  if (!edArrived) throw new Error("nothing arrived");
  const { createPublicKey, verify } = await import("node:crypto");
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(edPublic.slice(5), "base64")]);
  const key = createPublicKey({ key: spki, format: "der", type: "spki" });
  const content = Buffer.from(`${edArrived.headers["webhook-id"]}.${edArrived.headers["webhook-timestamp"]}.${edArrived.body}`);
  const entry = edArrived.headers["webhook-signature"].split(" ").find((e) => e.startsWith("v1a,"));
  if (!entry || !verify(null, content, key, Buffer.from(entry.slice(4), "base64"))) throw new Error("v1a does not verify: " + edArrived.headers["webhook-signature"]);
  return entry.slice(0, 20) + "…";
});
const atts = await step("attempt.listByMsg", () => svix.messageAttempt.listByMsg(uid, msg.id, { status: 0 }));
const withMsg = await step("attempt.listByEndpoint", () => svix.messageAttempt.listByEndpoint(uid, ep.id, { limit: 5, withMsg: true, withContent: true }));
check("attempts withContent: the response body; withMsg: no payload", withMsg?.data?.length > 0 && withMsg.data.every((a) => a.response === "ok" && a.msg && Object.keys(a.msg.payload).length === 0), JSON.stringify(withMsg?.data?.[0]));
const lean = await step("attempt.listByMsg withContent false", () => svix.messageAttempt.listByMsg(uid, msg.id, { withContent: false }));
check("attempts without content: response \"{}\"", lean?.data?.length > 0 && lean.data.every((a) => a.response === "{}"), JSON.stringify(lean?.data?.[0]));
await step("attempt.listAttemptedMessages", () => svix.messageAttempt.listAttemptedMessages(uid, ep.id, { limit: 5 }));
await step("attempt.listAttemptedDestinations", () => svix.messageAttempt.listAttemptedDestinations(uid, msg.id));
if (atts?.data?.length) {
  const a = await step("attempt.get", () => svix.messageAttempt.get(uid, msg.id, atts.data[0].id));
  check("attempt.timestamp Date", a?.timestamp instanceof Date && !isNaN(a.timestamp));
  await step("attempt.resend", () => svix.messageAttempt.resend(uid, msg.id, ep.id));
  await step("attempt.expungeContent", () => svix.messageAttempt.expungeContent(uid, msg.id, atts.data[0].id));
}
await step("endpoint.sendExample", () => svix.endpoint.sendExample(uid, ep.id, { eventType: "invoice.paid" }));
await step("endpoint.recover", () => svix.endpoint.recover(uid, ep.id, { since: new Date(Date.now() - 3600e3) }));
await step("endpoint.replayMissing", () => svix.endpoint.replayMissing(uid, ep.id, { since: new Date(Date.now() - 3600e3) }));
await step("endpoint.bulkReplay", () => svix.endpoint.bulkReplay(uid, ep.id, { since: new Date(Date.now() - 3600e3), status: 0 }));
await step("endpoint.rotateSecret", () => svix.endpoint.rotateSecret(uid, ep.id, {}));
await step("backgroundTask.list", () => svix.backgroundTask.list({ limit: 5 }));
await step("message.expungeContent", () => svix.message.expungeContent(uid, msg.id));
const bulk = await ifSdkHas("message.bulkExpungeContent", svix.message.bulkExpungeContent,
  () => svix.message.bulkExpungeContent(uid, { ids: [msg.id, "msg_not_there"] }));
if (bulk) check("bulkExpungeContent results", bulk.results?.[msg.id] === "expunged" && bulk.results?.msg_not_there === "not-found", JSON.stringify(bulk));
await step("message.expungeAllContents", () => svix.message.expungeAllContents(uid));
const portal = await step("auth.appPortalAccess", () => svix.authentication.appPortalAccess(uid, { featureFlags: [] }));
await ifSdkHas("auth.dashboardAccess", svix.authentication.dashboardAccess, () => svix.authentication.dashboardAccess(uid));
if (portal?.token) {
  const appSvix = new Svix(portal.token, { serverUrl: server });
  await step("app token: endpoint.list", () => appSvix.endpoint.list(uid));
  await step("app token: other app 403/404", async () => { try { await appSvix.endpoint.list(uid + "-2"); return "NO ERROR"; } catch (e) { return e.code; } });
  await step("auth.logout", () => appSvix.authentication.logout());
  await step("app token after logout -> 401", async () => { try { await appSvix.endpoint.list(uid); return "NO ERROR"; } catch (e) { return e.code; } });
}
// capabilities, feature flags and sessions (AppPortalAccessIn, ApplicationTokenExpireIn)
const codeOf = async (fn) => { try { await fn(); return 200; } catch (e) { return e.code; } };
await step("event types behind a flag", async () => {
  await svix.eventType.create({ name: "probe.beta-" + uid, description: "b", featureFlags: ["probe-beta"] });
});
const limited = await step("auth.appPortalAccess capabilities + featureFlags + sessionId", () => svix.authentication.appPortalAccess(uid,
  { capabilities: ["ViewBase", "CreateAttempts"], featureFlags: ["probe-beta"], sessionId: "probe-session" }));
const plainPortal = await step("auth.appPortalAccess no flags", () => svix.authentication.appPortalAccess(uid, { sessionId: "other-session" }));
if (limited?.token && plainPortal?.token) {
  const lim = new Svix(limited.token, { serverUrl: server });
  const plainSvix = new Svix(plainPortal.token, { serverUrl: server });
  check("limited token reads endpoints", (await codeOf(() => lim.endpoint.list(uid))) === 200);
  check("limited token: endpoint.create 403", (await codeOf(() => lim.endpoint.create(uid, { url: "http://127.0.0.1:9/x" }))) === 403);
  check("limited token: endpoint.getSecret 403", (await codeOf(() => lim.endpoint.getSecret(uid, ep.id))) === 403);
  check("limited token: endpoint.recover (CreateAttempts) ok", (await codeOf(() => lim.endpoint.recover(uid, ep.id, { since: new Date(Date.now() - 60e3) }))) === 200);
  const seen = (await lim.eventType.list({ limit: 250 })).data.map((t) => t.name);
  check("flagged type listed to a token bearing its flag", seen.includes("probe.beta-" + uid), JSON.stringify(seen));
  const unseen = (await plainSvix.eventType.list({ limit: 250 })).data.map((t) => t.name);
  check("flagged type hidden from a token without its flag", !unseen.includes("probe.beta-" + uid), JSON.stringify(unseen));
  check("hidden flagged type: eventType.get 404", (await codeOf(() => plainSvix.eventType.get("probe.beta-" + uid))) === 404);
  await step("auth.expireAll sessionIds", () => svix.authentication.expireAll(uid, { sessionIds: ["probe-session"] }));
  check("the session's token ended", (await codeOf(() => lim.endpoint.list(uid))) === 401);
  check("another session's token lives", (await codeOf(() => plainSvix.endpoint.list(uid))) === 200);
  check("capabilities without ViewBase 422", (await codeOf(() => svix.authentication.appPortalAccess(uid, { capabilities: ["ManageEndpoint"] }))) === 422);
}
await step("auth.expireAll", () => svix.authentication.expireAll(uid, {}));
// a credential among an endpoint's headers comes back by name only, as Svix's EndpointHeadersOut gives it
await step("endpoint.patchHeaders with a credential", () => svix.endpoint.patchHeaders(uid, ep.id, { headers: { Authorization: "Bearer probe-secret" } }));
const withheld = await step("endpoint.getHeaders", () => svix.endpoint.getHeaders(uid, ep.id));
check("a credential header: named in sensitive, its value not returned", withheld && (withheld.sensitive ?? []).includes("Authorization")
  && !JSON.stringify(withheld).includes("probe-secret"), JSON.stringify(withheld));
// polling endpoints: made through Herald's route (Svix makes them in its portal), read with the SDK's message poller
const pollerMade = await step("polling-endpoint create (Herald's route)", async () => {
  const r = await fetch(server + "/api/v1/app/" + uid + "/polling-endpoint", { method: "POST", headers: { authorization: "Bearer " + process.env.HERALD_TOKEN, "content-type": "application/json" }, body: JSON.stringify({ filterTypes: ["invoice.paid"] }) });
  return r.status === 201 ? await r.json() : { status: r.status, body: await r.text() };
});
if (pollerMade?.id) {
  const polledMsg = await svix.message.create(uid, { eventType: "invoice.paid", payload: { polled: true } });
  await svix.message.create(uid, { eventType: "x.y", payload: {} });
  const page = await step("message.poller.poll", () => svix.message.poller.poll(uid, pollerMade.id, { limit: 10 }));
  check("poll: the message its filter takes, and only it", page?.data?.length === 1 && page.data[0].id === polledMsg.id && page.data[0].payload?.polled === true, JSON.stringify(page));
  const next = await step("message.poller.poll iterator", () => svix.message.poller.poll(uid, pollerMade.id, { iterator: page?.iterator }));
  check("poll from the iterator: nothing new", next?.data?.length === 0 && next?.done === true);
  const c1 = await step("message.poller.consumerPoll", () => svix.message.poller.consumerPoll(uid, pollerMade.id, "probe-consumer"));
  check("consumerPoll: the message", c1?.data?.length === 1);
  const c2 = await step("message.poller.consumerPoll again", () => svix.message.poller.consumerPoll(uid, pollerMade.id, "probe-consumer"));
  check("consumerPoll: the kept place moved on", c2?.data?.length === 0);
  await step("message.poller.consumerSeek", () => svix.message.poller.consumerSeek(uid, pollerMade.id, "probe-consumer", { after: new Date(Date.now() - 3600e3) }));
  const c3 = await step("message.poller.consumerPoll after seek", () => svix.message.poller.consumerPoll(uid, pollerMade.id, "probe-consumer"));
  check("consumerPoll after seek: the message again", c3?.data?.length === 1);
}
// 2.x: a pollingEndpoint destination is a polling endpoint, read with the poller routes
if (svix.destination) {
  const dest = await step("destination.create pollingEndpoint", () => svix.destination.create(uid, { type: "pollingEndpoint", uid: "dest-js", eventTypes: ["invoice.paid"], config: {} }));
  check("destination: a polling endpoint", dest?.type === "pollingEndpoint" && dest?.status === "enabled", JSON.stringify(dest));
  await step("destination.get by uid", () => svix.destination.get(uid, "dest-js"));
  await step("destination.list", () => svix.destination.list(uid, { limit: 10 }));
  const destPatched = await step("destination.patch", () => svix.destination.patch(uid, dest.id, { type: "pollingEndpoint", channels: ["eu"], config: {} }));
  check("destination.patch: channels set, eventTypes kept", JSON.stringify(destPatched?.channels) === '["eu"]' && JSON.stringify(destPatched?.eventTypes) === '["invoice.paid"]', JSON.stringify(destPatched));
  const destTransformation = await step("destination.transformation.get", () => svix.destination.transformation.get(uid, dest.id));
  check("destination.transformation: none", destTransformation?.code == null && destTransformation?.enabled === false, JSON.stringify(destTransformation));
  await step("destination.transformation.patch code null", () => svix.destination.transformation.patch(uid, dest.id, { code: null }));
  const withCode = await codeOf(() => svix.destination.transformation.patch(uid, dest.id, { code: "{\"body\":{}}" }));
  check("destination.transformation.patch with code: 422", withCode === 422, String(withCode));
  const s3 = await codeOf(() => svix.destination.create(uid, { type: "amazonS3", config: { bucket: "b", region: "r", accessKeyId: "a", secretAccessKey: "s" } }));
  check("destination of another type: 422", s3 === 422, String(s3));
  await step("destination.delete", () => svix.destination.delete(uid, dest.id));
}
// a poller read with leases (Svix's internal MessagePollerv2, as the SDK's AutoConfigConsumer calls it), and AutoConfig
const leaseBase = server + "/api/v1/app/" + uid + "/polling-endpoint/";
async function api(method, path, body, token = process.env.HERALD_TOKEN) {
  const r = await fetch(path, { method, headers: { authorization: "Bearer " + token, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null, retryAfter: r.headers.get("retry-after") };
}
// the 2.x SDKs make AutoConfig tokens themselves (autoconfigSubscription.create); with 1.x, Herald's route
const made = svix.autoconfigSubscription
  ? await step("autoconfigSubscription.create", async () => {
      const out = await svix.autoconfigSubscription.create(uid, {});
      return { ...out, endpointId: (await api("GET", server + "/api/v1/app/" + uid + "/autoconfig/" + out.id)).body?.endpointId };
    })
  : await step("autoconfig create (Herald's route)", async () => {
      const r = await api("POST", server + "/api/v1/app/" + uid + "/autoconfig", {});
      return r.status === 201 ? r.body : { status: r.status, body: r.body };
    });
if (made?.token) {
  const webhook = new AutoConfig(made.token, { url: `http://127.0.0.1:${port}/autoconfig`, filterTypes: ["invoice.paid"] });
  const subscribed = await step("AutoConfig.subscribe", () => webhook.subscribe());
  check("AutoConfig.subscribe: the token's endpoint", subscribed?.id === made.endpointId && subscribed?.url?.endsWith("/autoconfig"), JSON.stringify(subscribed));
  const sent = await svix.message.create(uid, { eventType: "invoice.paid", payload: { autoconfig: true } });
  for (let i = 0; i < 100 && !received.some((x) => x.url === "/autoconfig"); i++) await new Promise((r) => setTimeout(r, 100));
  const arrived = received.find((x) => x.url === "/autoconfig" && x.headers["webhook-id"] === sent.id);
  await step("AutoConfig.verify", () => { if (!arrived) throw new Error("nothing arrived"); webhook.verify(arrived.body, arrived.headers); return "verified"; });
  const again = await step("AutoConfig.subscribe again, changed", () => new AutoConfig(made.token, { url: `http://127.0.0.1:${port}/autoconfig2` }).subscribe());
  check("AutoConfig.subscribe again: the same endpoint, the new URL", again?.id === made.endpointId && again?.url?.endsWith("/autoconfig2"));
  if (svix.autoconfigSubscription) {
    // 2.x: rotate answers a new token (the old one ends), delete ends it and keeps the endpoint
    const rotated = await step("autoconfigSubscription.rotate", () => svix.autoconfigSubscription.rotate(uid, made.id, {}));
    check("rotate: a new token", rotated?.token?.startsWith("auto_v1_") && rotated.token !== made.token);
    const oldGone = await codeOf(() => new AutoConfig(made.token, { url: `http://127.0.0.1:${port}/autoconfig2` }).subscribe());
    check("rotate: the old token is refused (401)", oldGone === 401, String(oldGone));
    await step("AutoConfig.subscribe with the rotated token", () => new AutoConfig(rotated.token, { url: `http://127.0.0.1:${port}/autoconfig2` }).subscribe());
    // a signing secret of the caller's choosing: the token carries it and the endpoint signs with it
    const chosenSecret = "whsec_" + Buffer.from("a secret of thirty-two bytes!!!!").toString("base64");
    const withSecret = await step("autoconfigSubscription.rotate with signingSecret", () => svix.autoconfigSubscription.rotate(uid, made.id, { signingSecret: { key: chosenSecret } }));
    check("rotate: the token carries the chosen secret", withSecret && JSON.parse(Buffer.from(withSecret.token.slice(8), "base64").toString()).esec === chosenSecret
      && (await svix.endpoint.getSecret(uid, made.endpointId)).key === chosenSecret);
    rotated.token = withSecret?.token ?? rotated.token;
    // 2.5.0 has no delete yet (later versions do): then Herald's route, the same DELETE
    const deleteSub = sdk(svix.autoconfigSubscription, "delete")
      ?? (async (app, id) => { const r = await api("DELETE", server + "/api/v1/app/" + app + "/autoconfig/" + id); if (r.status !== 204) throw new Error("DELETE answered " + r.status); });
    await step("autoconfigSubscription.delete", () => deleteSub(uid, made.id));
    const deletedGone = await codeOf(() => new AutoConfig(rotated.token, { url: `http://127.0.0.1:${port}/autoconfig2` }).subscribe());
    check("delete: its token is refused (401), its endpoint stays", deletedGone === 401 && (await svix.endpoint.get(uid, made.endpointId)).id === made.endpointId, String(deletedGone));
  }

  const forPoller = await api("POST", server + "/api/v1/app/" + uid + "/autoconfig", {});
  const consumer = new AutoConfigConsumer(forPoller.body.token, { filterTypes: ["invoice.paid"], eventTypes: ["invoice.paid"] }); // 2.x names it eventTypes
  const sink = await step("AutoConfigConsumer.subscribe", () => consumer.subscribe());
  check("AutoConfigConsumer.subscribe: a polling endpoint with the token's id", sink?.id === forPoller.body.endpointId);
  const leasedMsg = await svix.message.create(uid, { eventType: "invoice.paid", payload: { leased: true } });
  const got = await step("AutoConfigConsumer.receive", () => consumer.receive("probe-worker", { limit: 10, leaseDurationMs: 30000 }));
  check("receive: the message, with an offset", got?.data?.length === 1 && got.data[0].id === leasedMsg.id && typeof got.data[0].offset === "number", JSON.stringify(got));
  const held = await api("GET", leaseBase + sink?.id + "/consumer/probe-worker");
  check("a poll while the lease runs: 409 lease_held with Retry-After", held.status === 409 && held.body?.code === "lease_held" && held.retryAfter !== null, JSON.stringify(held));
  await step("AutoConfigConsumer.commit", () => consumer.commit("probe-worker", got?.data?.[0]?.offset));
  const after = await step("AutoConfigConsumer.receive after commit", () => consumer.receive("probe-worker"));
  check("receive after commit: nothing", after?.data?.length === 0 && after?.done === true);
}
// Herald gives v1 tokens, which both SDK generations read; a 2.x SDK given a v2 token (the subscription's id, "sid")
// subscribes through PUT …/autoconfig/{sid}/endpoint or …/destination: the same token re-encoded as v2 drives them
const v2 = async () => {
  const r = await api("POST", server + "/api/v1/app/" + uid + "/autoconfig", {});
  const c = JSON.parse(Buffer.from(r.body.token.slice("auto_v1_".length), "base64").toString());
  const token = "auto_v2_" + Buffer.from(JSON.stringify({ aid: c.aid, sid: r.body.id, surl: c.surl, esec: c.esec, tok: c.tok })).toString("base64");
  return { ...r.body, token };
};
if (svix.destination) {
  const hv2 = await v2();
  const v2Hook = new AutoConfig(hv2.token, { url: `http://127.0.0.1:${port}/autoconfig-v2`, filterTypes: ["invoice.paid"] });
  const v2Sub = await step("AutoConfig.subscribe, v2 token", () => v2Hook.subscribe());
  check("v2 subscribe: the subscription's endpoint", v2Sub?.id === hv2.endpointId && v2Sub?.url?.endsWith("/autoconfig-v2"), JSON.stringify(v2Sub));
  const v2Sent = await svix.message.create(uid, { eventType: "invoice.paid", payload: { v2: true } });
  for (let i = 0; i < 100 && !received.some((x) => x.url === "/autoconfig-v2" && x.headers["webhook-id"] === v2Sent.id); i++) await new Promise((r) => setTimeout(r, 100));
  const v2Arrived = received.find((x) => x.url === "/autoconfig-v2" && x.headers["webhook-id"] === v2Sent.id);
  await step("AutoConfig.verify, v2 token", () => { if (!v2Arrived) throw new Error("nothing arrived"); v2Hook.verify(v2Arrived.body, v2Arrived.headers); return "verified"; });
  const pv2 = await v2();
  const v2Consumer = new AutoConfigConsumer(pv2.token, { eventTypes: ["invoice.paid"] });
  const v2Dest = await step("AutoConfigConsumer.subscribe, v2 token", () => v2Consumer.subscribe());
  check("v2 consumer: a pollingEndpoint destination with the subscription's id", v2Dest?.id === pv2.endpointId && v2Dest?.type === "pollingEndpoint", JSON.stringify(v2Dest));
  const v2Leased = await svix.message.create(uid, { eventType: "invoice.paid", payload: { v2leased: true } });
  const v2Got = await step("AutoConfigConsumer.receive, v2 token", () => v2Consumer.receive("v2-worker", { limit: 10 }));
  check("v2 receive: the message", v2Got?.data?.some((m) => m.id === v2Leased.id), JSON.stringify(v2Got));
}
await step("endpoint.delete", () => svix.endpoint.delete(uid, ep2.id));
await step("bad input 422", async () => { try { await svix.endpoint.create(uid, { url: "not a url" }); return "NO ERROR"; } catch (e) { return e.code + " " + JSON.stringify(e.body); } });
await step("not found 404", async () => { try { await svix.application.get("nope-nope"); return "NO ERROR"; } catch (e) { return e.code + " " + JSON.stringify(e.body); } });
await step("app.delete", () => svix.application.delete(uid + "-2"));
// more of the surface
await step("message.create inline application", () => svix.message.create("inline-" + uid, { eventType: "x.y", payload: {}, application: { name: "Inline", uid: "inline-" + uid } }));
await step("message.create deliverAt", () => svix.message.create(uid, { eventType: "invoice.paid", payload: { s: 1 }, deliverAt: new Date(Date.now() + 3600e3) }));
await step("message.create payloadRetentionHours", () => svix.message.create(uid, { eventType: "invoice.paid", payload: { s: 2 }, payloadRetentionHours: 2 }));
const m1 = await step("message.list limit 1", () => svix.message.list(uid, { limit: 1 }));
await step("message.list next page", () => svix.message.list(uid, { limit: 1, iterator: m1?.iterator }));
await step("message.list channel+tag+before/after", () => svix.message.list(uid, { channel: "ch1", tag: "t1", before: new Date(Date.now() + 60e3), after: new Date(Date.now() - 3600e3) }));
await step("attempt.listByEndpoint filters", () => svix.messageAttempt.listByEndpoint(uid, ep.id, { status: 0, statusCodeClass: 200, channel: "ch1", tag: "t1", eventTypes: ["invoice.paid"], withContent: true, before: new Date(Date.now() + 60e3), after: new Date(Date.now() - 3600e3), endpointId: ep.id }));
await step("attempt.listByMsg filters", () => svix.messageAttempt.listByMsg(uid, msg.id, { statusCodeClass: 200, endpointId: ep.id, withContent: false }));
await step("attempt.listAttemptedMessages filters", () => svix.messageAttempt.listAttemptedMessages(uid, ep.id, { channel: "ch1", tag: "t1", status: 0, eventTypes: ["invoice.paid"], withContent: false }));
await step("eventType.list paged", () => svix.eventType.list({ limit: 1, order: "descending" }));
await step("endpoint.create dup uid -> 409", async () => { try { await svix.endpoint.create(uid, { url: `http://127.0.0.1:${port}/hook`, uid: "ep-dup" }); await svix.endpoint.create(uid, { url: `http://127.0.0.1:${port}/hook`, uid: "ep-dup" }); return "NO ERROR"; } catch (e) { return e.code + " " + JSON.stringify(e.body); } });
await step("app.create dup uid -> 409", async () => { try { await svix.application.create({ name: "x", uid }); return "NO ERROR"; } catch (e) { return e.code + " " + JSON.stringify(e.body); } });
await step("endpoint.create private address -> 422", async () => { try { await svix.endpoint.create(uid, { url: "http://169.254.169.254/latest" }); return "NO ERROR"; } catch (e) { return e.code + " " + JSON.stringify(e.body); } });
await step("endpoint.rotateSecret with key", () => svix.endpoint.rotateSecret(uid, ep.id, { key: "whsec_" + Buffer.alloc(32, 7).toString("base64") }));
await step("endpoint.getSecret after rotate", () => svix.endpoint.getSecret(uid, ep.id));
await step("endpoint.create with secret", () => svix.endpoint.create(uid, { url: `http://127.0.0.1:${port}/hook2`, secret: "whsec_" + Buffer.alloc(24, 3).toString("base64") }));
// the transformation routes carry Herald's template as the code (1.x: endpoint.transformationGet/patchTransformation;
// 2.x: endpoint.transformation.get/patch); JavaScript is a 422
{
  const tGet = svix.endpoint.transformation ? (a, e) => svix.endpoint.transformation.get(a, e) : sdk(svix.endpoint, "transformationGet");
  const tPatch = svix.endpoint.transformation ? (a, e, p) => svix.endpoint.transformation.patch(a, e, p) : sdk(svix.endpoint, "patchTransformation", "transformationPartialUpdate");
  const template = JSON.stringify({ body: { text: "{{eventType}}" } });
  await step("endpoint transformation patch (a template)", () => tPatch(uid, ep.id, { code: template, enabled: true }));
  const t1 = await step("endpoint transformation get", () => tGet(uid, ep.id));
  check("the transformation's code is the template, enabled", t1?.code === template && t1?.enabled === true, JSON.stringify(t1));
  await step("endpoint transformation switched off", () => tPatch(uid, ep.id, { enabled: false }));
  const t2 = await step("endpoint transformation get, off", () => tGet(uid, ep.id));
  check("switched off: kept, not enabled", t2?.code === template && t2?.enabled === false, JSON.stringify(t2));
  await step("endpoint transformation JavaScript 422", async () => { try { await tPatch(uid, ep.id, { code: "function handler(w) { return w }" }); return "NO ERROR"; } catch (e) { check("422 at code", e.code === 422 && JSON.stringify(e.body).includes("code"), e.code); return e.code; } });
  await step("endpoint transformation removed", () => tPatch(uid, ep.id, { code: null }));
}
await step("endpoint.patch disabled", () => svix.endpoint.patch(uid, ep.id, { disabled: true }));
await step("endpoint.patch enabled", () => svix.endpoint.patch(uid, ep.id, { disabled: false }));
await step("app token via expired token 401", async () => { try { await new Svix("sk_wrong", { serverUrl: server }).application.list(); return "NO ERROR"; } catch (e) { return e.code + " " + JSON.stringify(e.body); } });
await step("backgroundTask.get", async () => { const l = await svix.backgroundTask.list({ limit: 1 }); return svix.backgroundTask.get(l.data[0].id); });
await step("backgroundTask.list filters", () => svix.backgroundTask.list({ status: "finished", task: "endpoint.recover", order: "ascending" }));
await step("statistics.aggregateAppStats", async () => { const t = await svix.statistics.aggregateAppStats({ since: new Date(Date.now() - 3600e3), until: new Date(Date.now() + 60e3), appIds: [uid, "app_nothing"] }); check("aggregateAppStats unresolved", JSON.stringify(t.unresolvedAppIds) === '["app_nothing"]', JSON.stringify(t)); return svix.backgroundTask.get(t.id); });
await step("statistics.aggregateEventTypes", async () => { const t = await svix.statistics.aggregateEventTypes(); const done = await svix.backgroundTask.get(t.id); const mine = (done.data.event_types ?? []).find((s) => s.appId === app.id); check("aggregateEventTypes lists the app", t.task === "event-type.aggregate" && mine !== undefined && typeof mine.hasCatchAllEndpoint === "boolean" && Array.isArray(mine.explicitlySubscribedEventTypes), JSON.stringify(done).slice(0, 300)); return done; });
// connectors: Herald's transformation templates (JSON text), admin only
const connUid = "slack-" + Date.now();
const conn = await step("connector.create", () => svix.connector.create({ name: "Slack", uid: connUid, kind: "Slack", logo: "https://example.com/s.png",
  description: "Post to Slack", instructions: "Paste an incoming webhook URL", allowedEventTypes: ["invoice.paid"],
  transformation: JSON.stringify({ body: { text: "{{eventType}}" } }) }));
check("connector fields", conn?.id?.startsWith("trtmpl_") && conn.kind === "Slack" && conn.productType === "Dispatch" && conn.createdAt instanceof Date, JSON.stringify(conn));
await step("connector.get by uid", () => svix.connector.get(connUid));
await step("connector.list", async () => { const l = await svix.connector.list({ limit: 10 }); check("connector listed", l.data.some((c) => c.uid === connUid)); return l.data.length; });
await step("connector.patch", async () => { const p = await svix.connector.patch(connUid, { description: "Slack it" }); check("patched", p.description === "Slack it" && p.name === "Slack"); });
await ifSdkHas("connector.update", sdk(svix.connector, "update", "upsert"), async () => { const u = await sdk(svix.connector, "update", "upsert")(connUid, { name: "Slack", transformation: JSON.stringify({ method: "PUT" }) }); check("updated", u.transformation === "{\"method\":\"PUT\"}" && u.description === ""); });
await step("connector.create JavaScript refused 422", async () => { try { await svix.connector.create({ name: "js", transformation: "function handler(w) { return w }" }); return "NO ERROR"; } catch (e) { check("422 at transformation", e.code === 422 && JSON.stringify(e.body).includes("transformation"), e.code + " " + JSON.stringify(e.body)); return e.code; } });
await step("connector.delete", () => svix.connector.delete(connUid));
const exportedEnv = await step("environment.export", async () => { const e = await svix.environment.export(); check("export lists the catalog", e.version === 1 && Array.isArray(e.eventTypes) && e.eventTypes.some((t) => t.name === "invoice.paid"), JSON.stringify(e).slice(0, 300)); return e; });
await step("environment.import", async () => { await svix.environment.import({ eventTypes: [{ name: "env.imported", description: "from an export" }] }); const t = await svix.eventType.get("env.imported"); check("import created the type", t.description === "from an export", JSON.stringify(t)); await svix.environment.import({ eventTypes: exportedEnv.eventTypes.map((x) => ({ name: x.name, description: x.description, schemas: x.schemas, archived: x.archived, deprecated: x.deprecated, featureFlags: x.featureFlags, groupName: x.groupName })) }); });
const integ = await step("integration.create", () => svix.integration.create(uid, { name: "Zap", featureFlags: ["beta"] }));
await step("integration.list", () => svix.integration.list(uid, { limit: 10 }));
await step("integration.get", () => svix.integration.get(uid, integ.id));
await step("integration.update", () => svix.integration.update(uid, integ.id, { name: "Zap 2" }));
// 2.x has no getKey: the key then comes from a rotation
const integKey = await step("integration.getKey", () => (sdk(svix.integration, "getKey") ?? svix.integration.rotateKey.bind(svix.integration))(uid, integ.id));
await step("integration key speaks for its app", async () => { const asInteg = new Svix(integKey.key, { serverUrl: server }); const eps = await asInteg.endpoint.list(uid); check("integration key lists the app's endpoints", Array.isArray(eps.data), JSON.stringify(eps).slice(0, 200)); return eps.data.length; });
const integRotated = await step("integration.rotateKey", () => svix.integration.rotateKey(uid, integ.id));
check("rotateKey gives a new key", integRotated.key && integRotated.key !== integKey.key, JSON.stringify(integRotated));
await step("integration.delete", () => svix.integration.delete(uid, integ.id));
await step("eventType.delete expunge", () => svix.eventType.delete("invoice.voided", { expunge: true }));
// operational webhook endpoints: managed like endpoints; they get Herald's operational events, signed
const ops = svix.operationalWebhookEndpoint ?? svix.operationalWebhook.endpoint; // 2.x moved it
const op = await step("operationalWebhookEndpoint.create", () => ops.create({ url: `http://127.0.0.1:${port}/ops`, filterTypes: ["endpoint.created"], uid: "ops-js", metadata: { t: "1" } }));
await step("operationalWebhookEndpoint.list", () => ops.list({ limit: 10 }));
await step("operationalWebhookEndpoint.get by uid", () => ops.get("ops-js"));
await step("operationalWebhookEndpoint.update", () => sdk(ops, "update", "upsert")(op.id, { url: `http://127.0.0.1:${port}/ops`, filterTypes: ["endpoint.created"], description: "ops" }));
const opSecret = await step("operationalWebhookEndpoint.getSecret", () => ops.getSecret(op.id));
await step("operationalWebhookEndpoint.getHeaders", () => ops.getHeaders(op.id));
await step("operationalWebhookEndpoint.updateHeaders", () => sdk(ops, "updateHeaders", "setHeaders")(op.id, { headers: { "X-Ops": "1" } }));
const watched = await step("endpoint.create (raises endpoint.created)", () => svix.endpoint.create(uid, { url: `http://127.0.0.1:${port}/watched` }));
await new Promise((r) => setTimeout(r, 2000));
const opEvents = received.filter((x) => x.url === "/ops");
check("operational event received", opEvents.some((x) => x.body.includes(watched?.id)), "received " + opEvents.length);
for (const r of opEvents) {
  try {
    new Webhook(opSecret.key).verify(r.body, { "svix-id": r.headers["webhook-id"], "svix-timestamp": r.headers["webhook-timestamp"], "svix-signature": r.headers["webhook-signature"] });
    check("operational event verified, type " + JSON.parse(r.body).type, JSON.parse(r.body).type === "endpoint.created" && r.headers["x-ops"] === "1");
  } catch (e) { failures++; console.log("FAIL  operational verify", String(e)); }
}
await step("operationalWebhookEndpoint.rotateSecret", () => ops.rotateSecret(op.id, {}));
await step("operationalWebhookEndpoint.delete", () => ops.delete(op.id));
// Svix's own refusals, as Herald now answers them (session 36)
// the 2.x SDK leaves an empty filterTypes out of the request (an endpoint then takes every type); 1.x sends it
const emptyTypes = await (async () => { try { return { ep: await svix.endpoint.create(uid, { url: "http://127.0.0.1:9/e", filterTypes: [] }) }; } catch (e) { return { code: e.code }; } })();
check("endpoint.create with filterTypes []: a 422 if sent, else every type taken", emptyTypes.code === 422 || (emptyTypes.ep && emptyTypes.ep.filterTypes == null), JSON.stringify(emptyTypes));
check("endpoint.create with channels [] is a 422", (await codeOf(() => svix.endpoint.create(uid, { url: "http://127.0.0.1:9/e", channels: [] }))) === 422);
check("message.create making an application whose uid is not the path's is a 422",
  (await codeOf(() => svix.message.create(uid + "-elsewhere", { eventType: "invoice.paid", payload: {}, application: { name: "X", uid: uid + "-other" } }))) === 422);
check("...and made nothing", (await codeOf(() => svix.application.get(uid + "-other"))) === 404);
const rotating = await step("endpoint.create (to rotate)", () => svix.endpoint.create(uid, { url: "http://127.0.0.1:9/rot" }));
if (rotating) {
  const codes = [];
  for (let i = 0; i < 11; i++) codes.push(await codeOf(() => svix.endpoint.rotateSecret(uid, rotating.id, {})));
  check("endpoint.rotateSecret: ten taken, the eleventh within the grace 400", codes.slice(0, 10).every((c) => c === 200) && codes[10] === 400, JSON.stringify(codes));
}
// a uid that reads as an id is refused, as Svix refuses it (session 37)
check("application.create with uid app_… is a 422", (await codeOf(() => svix.application.create({ name: "X", uid: "app_" + uid }))) === 422);
check("endpoint.create with uid ep_… is a 422", (await codeOf(() => svix.endpoint.create(uid, { url: "http://127.0.0.1:9/e", uid: "ep_x" }))) === 422);
check("message.create with eventId msg_… is a 422", (await codeOf(() => svix.message.create(uid, { eventType: "invoice.paid", payload: {}, eventId: "msg_x" }))) === 422);
await step("app.delete main", () => svix.application.delete(uid));
recv.close();
console.log(failures === 0 ? "ALL OK" : failures + " FAILURES");
process.exit(failures === 0 ? 0 : 1);
