// Pagination through the Svix JS SDK against a running Herald: forward with iterator, back with prevIterator, both orders.
import { Svix } from "svix";
import http from "node:http";

const server = process.env.HERALD_URL;
const svix = new Svix(process.env.HERALD_TOKEN, { serverUrl: server });
let failures = 0;
function check(name, cond, detail) {
  if (!cond) { failures++; console.log("FAIL ", name, detail ?? ""); } else console.log("ok   ", name);
}
const recv = http.createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(200); res.end(); }); });
await new Promise((r) => recv.listen(0, "127.0.0.1", r));
const port = recv.address().port;

async function walk(list, limit, opts = {}) {
  const seen = [];
  let iterator;
  const pages = [];
  for (let i = 0; i < 50; i++) {
    const page = await list({ limit, iterator, ...opts });
    pages.push(page);
    seen.push(...page.data.map((x) => x.id ?? x.name));
    if (page.done) break;
    iterator = page.iterator;
  }
  return { seen, pages };
}

const uid = "pages-" + Date.now();
await svix.application.create({ name: "P", uid });
const ep = await svix.endpoint.create(uid, { url: `http://127.0.0.1:${port}/h` });
const ids = [];
for (let i = 0; i < 7; i++) ids.push((await svix.message.create(uid, { eventType: "p.t", payload: { i } })).id);
for (let i = 0; i < 5; i++) await svix.endpoint.create(uid, { url: `http://127.0.0.1:${port}/e${i}` });
await new Promise((r) => setTimeout(r, 1500));

// messages: newest first by default
let { seen, pages } = await walk((o) => svix.message.list(uid, o), 3);
check("messages newest first, all once", JSON.stringify(seen) === JSON.stringify([...ids].reverse()), JSON.stringify(seen));
// back from the last page with prevIterator
const last = pages[pages.length - 1];
const prev = await svix.message.list(uid, { limit: 3, iterator: last.prevIterator });
check("messages prevIterator returns the page before", JSON.stringify(prev.data.map((x) => x.id)) === JSON.stringify(pages[pages.length - 2].data.map((x) => x.id)),
  JSON.stringify(prev.data.map((x) => x.id)) + " vs " + JSON.stringify(pages[pages.length - 2].data.map((x) => x.id)));

// endpoints: Svix lists them ascending by default? print
({ seen } = await walk((o) => svix.endpoint.list(uid, o), 2));
check("endpoints all once", new Set(seen).size === 6 && seen.length === 6, JSON.stringify(seen));
const asc = await walk((o) => svix.endpoint.list(uid, o), 2, { order: "ascending" });
const desc = await walk((o) => svix.endpoint.list(uid, o), 2, { order: "descending" });
check("endpoints ascending is descending reversed", JSON.stringify(asc.seen) === JSON.stringify([...desc.seen].reverse()), JSON.stringify(asc.seen) + " / " + JSON.stringify(desc.seen));
const epPages = asc.pages;
const back = await svix.endpoint.list(uid, { limit: 2, order: "ascending", iterator: epPages[1].prevIterator });
check("endpoints prevIterator (ascending)", JSON.stringify(back.data.map((x) => x.id)) === JSON.stringify(epPages[0].data.map((x) => x.id)),
  JSON.stringify(back.data.map((x) => x.id)) + " vs " + JSON.stringify(epPages[0].data.map((x) => x.id)));

// attempts by endpoint
const att = await walk((o) => svix.messageAttempt.listByEndpoint(uid, ep.id, o), 2);
check("attempts by endpoint: 7, all once", att.seen.length === 7 && new Set(att.seen).size === 7, JSON.stringify(att.seen));
const am = await walk((o) => svix.messageAttempt.listAttemptedMessages(uid, ep.id, o), 2);
check("attempted messages: 7 newest first", JSON.stringify(am.seen) === JSON.stringify([...ids].reverse()), JSON.stringify(am.seen));

// applications
const ap = await walk((o) => svix.application.list(o), 1);
check("applications all once", new Set(ap.seen).size === ap.seen.length && ap.seen.length >= 1, JSON.stringify(ap.seen.length));

// event types
for (let i = 0; i < 4; i++) { try { await svix.eventType.create({ name: `pg.t${i}`, description: "d" }); } catch (e) {} }
const et = await walk((o) => svix.eventType.list(o), 2);
check("event types all once", new Set(et.seen).size === et.seen.length && et.seen.length >= 4, JSON.stringify(et.seen));

// empty list
const empty = await svix.message.list(uid, { limit: 3, eventTypes: ["none.such"] });
check("empty list done", empty.done === true && empty.data.length === 0, JSON.stringify(empty));
// limit bounds
try { await svix.message.list(uid, { limit: 251 }); check("limit 251 refused or capped", true); } catch (e) { console.log("note  limit 251 ->", e.code, JSON.stringify(e.body)); }
try { await svix.message.list(uid, { limit: 0 }); console.log("note  limit 0 accepted"); } catch (e) { console.log("note  limit 0 ->", e.code, JSON.stringify(e.body)); }
try { await svix.message.list(uid, { iterator: "garbage" }); check("bad iterator refused", false, "accepted"); } catch (e) { check("bad iterator refused with 422", e.code === 422, JSON.stringify(e.body)); }
recv.close();
await svix.application.delete(uid);
console.log(failures === 0 ? "ALL OK" : failures + " FAILURES");
process.exit(failures === 0 ? 0 : 1);
