// The app portal in a real browser (Debian's Chromium, driven by playwright-core): the link the Svix SDK's
// appPortalAccess gives is opened, and a customer's whole round is clicked through, each step checked through the SDK.
import http from 'node:http';
import { chromium } from 'playwright-core';
import { Svix, AutoConfig } from 'svix';

const url = process.env.HERALD_URL;
const svix = new Svix(process.env.HERALD_TOKEN, { serverUrl: url });
const shots = process.env.SHOTS; // a folder for screenshots, if given
let failures = 0;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures++; };

// a receiver on 127.0.0.1 that fails its first request
let received = 0;
const bodies = {}; // the last body each path received
const receiver = http.createServer((req, res) => { let body = ''; req.on('data', c => body += c); req.on('end', () => { received++; bodies[req.url] = body; res.statusCode = received === 1 ? 500 : 200; res.end('ok'); }); });
await new Promise(r => receiver.listen(0, '127.0.0.1', r));
const hook = `http://127.0.0.1:${receiver.address().port}/hook`;
const until = async (cond, what) => { for (let i = 0; i < 100; i++) { if (await cond()) return true; await new Promise(r => setTimeout(r, 100)); } check(false, `waited for ${what}`); return false; };

for (const name of ['invoice.paid', 'invoice.voided']) await svix.eventType.create({ name, description: name }).catch(() => {});
const app = await svix.application.create({ name: 'Acme Corp' });
const access = await svix.authentication.appPortalAccess(app.id, {});
check(access.url.startsWith(`${url}/portal/${app.id}#token=`), 'appPortalAccess gives a link to the portal');

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
const problems = [];
page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
page.on('pageerror', e => problems.push(e.message));
page.on('dialog', d => d.accept());
if (shots) (await import('node:fs')).mkdirSync(shots, { recursive: true });
const shot = async name => { if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true }); };

await page.goto(access.url);
await page.waitForURL(/\/endpoints$/);
check(await page.locator('h1').textContent() === 'Endpoints', 'the link signs in and opens the endpoints');
check(!page.url().includes('token='), 'the token is gone from the address bar');
const cookies = await page.context().cookies();
const framedMode = Boolean(process.env.FRAMING_PORT);
check(cookies.length === 1 && cookies[0].httpOnly && cookies[0].sameSite === (framedMode ? 'None' : 'Strict'),
  `the session is an HttpOnly, SameSite=${framedMode ? 'None' : 'Strict'} cookie`);

await page.fill('input[name=url]', 'http://10.0.0.1/hook');
await page.click('text=Add endpoint');
await page.locator('.field-error').waitFor();
check((await page.locator('.field-error').textContent()).includes('blocked address 10.0.0.1'), 'a private address is refused in the form');
await shot('1-form-refused');

await page.fill('input[name=url]', hook);
await page.fill('input[name=description]', 'Billing');
await page.check('input[value="invoice.paid"]');
await page.click('text=Add endpoint');
await page.waitForURL(/\/endpoints\/ep_/);
const endpointId = page.url().split('/').pop();
const made = await svix.endpoint.get(app.id, endpointId);
check(made.url === hook && made.description === 'Billing' && JSON.stringify(made.filterTypes) === '["invoice.paid"]', 'the endpoint added in the form is in the API');

await page.click('text=Reveal');
await page.locator('code.secret').waitFor();
check(await page.locator('code.secret').textContent() === (await svix.endpoint.getSecret(app.id, endpointId)).key, 'Reveal shows the signing secret');
const before = (await svix.endpoint.getSecret(app.id, endpointId)).key;
await page.click('button:has-text("Rotate")');
await page.locator('#rotated .notice').waitFor();
check((await svix.endpoint.getSecret(app.id, endpointId)).key !== before, 'Rotate makes a new signing secret');
await page.click('summary:has-text("Edit")');
await page.fill('#edit-endpoint input[name=description]', 'Billing, edited');
await page.click('#edit-endpoint button:has-text("Save")');
await page.locator('dd', { hasText: 'Billing, edited' }).waitFor();
check((await svix.endpoint.get(app.id, endpointId)).description === 'Billing, edited', 'Edit saves through the API');
await shot('2-endpoint');

const msg = await svix.message.create(app.id, { eventType: 'invoice.paid', payload: { invoice: 'in_42', amount: 1200 } });
await until(async () => received === 1, 'the first (failing) attempt');
await until(async () => (await svix.messageAttempt.listByMsg(app.id, msg.id)).data.length === 1, 'the attempt recorded');
await page.click('nav >> text=Event types');
await page.waitForURL(/\/event-types$/);
check(await page.locator('strong', { hasText: 'invoice.voided' }).count() === 1, 'the event catalog lists the types');
await page.click('text=Messages');
await page.waitForURL(/\/messages$/);
await page.click(`text=${msg.id}`);
await page.waitForURL(new RegExp(`/messages/${msg.id}$`));
check((await page.locator('pre.payload').textContent()).includes('"invoice" : "in_42"'), 'the message page shows the payload');
check(await page.locator('td.fail').count() >= 1, 'the message page shows the failed attempt');
await page.click('text=Resend');
await page.locator('.notice.ok').waitFor();
check((await page.locator('.notice.ok').textContent()).startsWith('Queued'), 'Resend says it is queued');
await until(async () => received === 2, 'the resent delivery');
await until(async () => (await svix.messageAttempt.listByMsg(app.id, msg.id)).data.length === 2, 'the resend recorded');
await page.reload();
check(await page.locator('td.success').count() >= 1, 'after the resend the message page shows a success');
await shot('3-message');

await page.goto(`${url}/portal/${app.id}/endpoints/${endpointId}`);
await page.click('button:has-text("Disable")');
await page.locator('text=Disabled: nothing is sent to it').waitFor();
check((await svix.endpoint.get(app.id, endpointId)).disabled === true, 'Disable disables the endpoint');
await page.click('button:has-text("Enable")');
await page.locator('button:has-text("Disable")').waitFor();
check((await svix.endpoint.get(app.id, endpointId)).disabled === false, 'Enable enables it again');
// the transformation: tried on the type's example in the page (nothing saved), then saved and removed again
await page.fill('#transformation textarea[name=transformation]', '{"body": {"text": "{{eventType}} for {{app.name}}"}}');
await page.selectOption('#transformation select[name=eventType]', 'invoice.paid');
await page.click('#transformation button:has-text("Try it")');
await page.locator('#transformation-result pre').waitFor();
check((await page.locator('#transformation-result pre').textContent()).includes('invoice.paid for Acme Corp'), 'Try it shows the transformed request');
await shot('3b-transformation');
await page.click('#transformation button:has-text("Save")');
await page.locator('#transformation-result .notice').waitFor();
// Herald's transformation is an extra of its EndpointOut, which the SDK's own type leaves out: read it raw
const rawEndpoint = async () => (await fetch(`${url}/api/v1/app/${app.id}/endpoint/${endpointId}`, { headers: { Authorization: `Bearer ${process.env.HERALD_TOKEN}` } })).json();
await until(async () => (await rawEndpoint()).transformation?.body?.text === '{{eventType}} for {{app.name}}', 'the transformation saved');
check((await rawEndpoint()).transformation?.body?.text === '{{eventType}} for {{app.name}}', 'Save stores the transformation');
// switched off and on again in the page: kept meanwhile, as the SDK's transformation routes say
await page.reload();
await page.click('button:has-text("Switch off")');
await page.locator('text=Switched off').waitFor();
const switchedOff = await (await fetch(`${url}/api/v1/app/${app.id}/endpoint/${endpointId}/transformation`, { headers: { Authorization: `Bearer ${process.env.HERALD_TOKEN}` } })).json();
check(switchedOff.enabled === false && switchedOff.code.includes('{{app.name}}'), 'Switch off keeps the template, not in effect');
await page.click('button:has-text("Switch on")');
await page.locator('text=In effect.').waitFor();
check((await rawEndpoint()).transformation?.body?.text === '{{eventType}} for {{app.name}}', 'Switch on puts it back in effect');
await page.fill('#transformation textarea[name=transformation]', '');
await page.click('#transformation button:has-text("Save")');
await until(async () => (await rawEndpoint()).transformation === undefined, 'the transformation removed');
check((await rawEndpoint()).transformation === undefined, 'Save, emptied, removes it');

await page.selectOption('form[hx-target="#example"] select[name=eventType]', 'invoice.paid');
await page.click('form[hx-target="#example"] button:has-text("Send")');
await page.locator('#example .notice').waitFor();
check((await page.locator('#example .notice').textContent()).startsWith('Sent: a test invoice.paid message'), 'Send a test event says it is sent');
await until(async () => received === 3, 'the test event at the receiver');

await page.fill('input[name=since]', new Date(Date.now() - 3600_000).toISOString().slice(0, 16));
await page.click('text=Send them again');
await page.locator('#recovered .notice').waitFor();
// the one failure was resent and delivered above: nothing has failed since
check((await page.locator('#recovered .notice').textContent()).startsWith('Nothing failed since'), 'Recover answers in the page');
await shot('4-recovered');

await page.click('button:has-text("Delete")');
await page.waitForURL(/\/endpoints$/);
check((await svix.endpoint.list(app.id)).data.length === 0, 'Delete (confirmed) deletes the endpoint');

// a connector the operator made (Svix's connector API): the customer connects it from the endpoints page, and the
// endpoint it makes sends the connector's shape of each webhook (no logo: the check fetches nothing from elsewhere)
const connector = await svix.connector.create({ name: 'Chat', kind: 'Slack', description: 'Post invoices to a chat channel',
  instructions: 'Make an incoming webhook in your chat tool and paste its URL.', allowedEventTypes: ['invoice.paid'],
  transformation: JSON.stringify({ body: { text: '{{eventType}}: {{payload.invoice}}' } }) });
await page.reload();
await page.click('ul.connectors >> text=Chat');
await page.waitForURL(new RegExp(`/connectors/${connector.id}$`));
check((await page.locator('.instructions').textContent()).includes('incoming webhook'), 'the connector page shows its instructions');
check(await page.locator('#connect-endpoint input[value="invoice.voided"]').count() === 0, 'the connector page offers only its event types');
await shot('4a-connector');
await page.fill('#connect-endpoint input[name=url]', `${hook}?chat`);
await page.click('button:has-text("Connect Chat")');
await page.waitForURL(/\/endpoints\/ep_/);
const chatId = page.url().split('/').pop();
const chat = await svix.endpoint.get(app.id, chatId);
check(chat.description === 'Chat' && JSON.stringify(chat.filterTypes) === '["invoice.paid"]', 'Connect makes the endpoint with the connector\'s types');
await svix.message.create(app.id, { eventType: 'invoice.paid', payload: { invoice: 'in_43' } });
await until(async () => bodies['/hook?chat'] !== undefined, 'the connected endpoint\'s delivery');
check(bodies['/hook?chat'] === '{"text":"invoice.paid: in_43"}', 'the connected endpoint receives the connector\'s shape');
await svix.endpoint.delete(app.id, chatId);
await svix.connector.delete(connector.id);

// a polling endpoint: made in the page, its key shown once, read with the SDK's message poller and that key
await page.click('nav >> text=Polling');
await page.waitForURL(/\/polling$/);
await page.fill('#new-poller input[name=channels]', 'eu');
await page.click('#new-poller button:has-text("Add polling endpoint")');
await page.waitForURL(/\/polling\/poll_/);
const pollerId = page.url().split('/').pop();
await page.click('button:has-text("Make a new key")');
await page.locator('#key code.secret').waitFor();
const pollKey = await page.locator('#key code.secret').textContent();
check(pollKey.startsWith('pollsk_'), 'Make a new key shows the key');
const euMsg = await svix.message.create(app.id, { eventType: 'invoice.paid', payload: { region: 'eu' }, channels: ['eu'] });
await svix.message.create(app.id, { eventType: 'invoice.paid', payload: { region: 'us' }, channels: ['us'] });
const polled = await new Svix(pollKey, { serverUrl: url }).message.poller.poll(app.id, pollerId);
check(polled.data.length === 1 && polled.data[0].id === euMsg.id, 'the key reads the poller: the eu message only');
await shot('4b-poller');
await page.click('button:has-text("Delete")');
await page.waitForURL(/\/polling$/);
check((await page.locator('text=No polling endpoints yet').count()) === 1, 'Delete (confirmed) deletes the polling endpoint');

// an AutoConfig token made in the page; the customer's code (the SDK's AutoConfig) makes its endpoint with it
await page.click('nav >> text=AutoConfig');
await page.waitForURL(/\/autoconfig$/);
check((await page.locator('text=No AutoConfig tokens yet').count()) === 1, 'the AutoConfig page opens, empty');
await page.click('button:has-text("Create an AutoConfig token")');
await page.locator('#token code.secret').waitFor();
const autoToken = await page.locator('#token code.secret').textContent();
check(autoToken.startsWith('auto_v1_'), 'Create an AutoConfig token shows the token');
const subscribed = await new AutoConfig(autoToken, { url: hook, filterTypes: ['invoice.paid'] }).subscribe();
check(subscribed.url === hook && (await svix.endpoint.get(app.id, subscribed.id)).url === hook, "the SDK's AutoConfig makes the endpoint with it");
await page.reload();
check((await page.locator('td', { hasText: 'HTTP endpoint' }).count()) === 1, 'the page shows what the token made');
await shot('4c-autoconfig');
await page.click('button:has-text("Delete")');
await until(async () => (await page.locator('text=No AutoConfig tokens yet').count()) === 1, 'the list without the token');
check((await (await fetch(`${url}/api/v1/app/${app.id}/autoconfig`, { headers: { Authorization: `Bearer ${process.env.HERALD_TOKEN}` } })).json()).data.length === 0,
  'Delete (confirmed) ends the token');

await page.click('text=Sign out');
await page.locator('h1:has-text("Signed out")').waitFor();
check(true, 'Sign out ends the session');
const refused = await fetch(`${url}/api/v1/app/${app.id}`, { headers: { Authorization: `Bearer ${access.token}` } });
check(refused.status === 401, 'the signed-out token no longer opens the API');
await shot('5-signed-out');

// the operator's dashboard: the admin token once, the applications, the delivery switch, a portal opened from it
const ops = await browser.newPage({ viewport: { width: 1200, height: 900 } });
ops.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
ops.on('pageerror', e => problems.push(e.message));
ops.on('dialog', d => d.accept());
await ops.goto(`${url}/dashboard`);
await ops.fill('input[name=token]', 'sk_not_the_admin_token');
await ops.click('text=Sign in');
await ops.locator('#signin-error .notice').waitFor();
check((await ops.locator('#signin-error .notice').textContent()).includes('not an admin token'), 'the dashboard refuses a wrong token');
await ops.fill('input[name=token]', process.env.HERALD_TOKEN);
await ops.click('text=Sign in');
await ops.waitForURL(/\/dashboard\/apps$/);
check(await ops.locator('td', { hasText: app.id }).count() === 1, 'the dashboard lists the application');
await ops.fill('#new-application input[name=name]', 'Made in the dashboard');
await ops.fill('#new-application input[name=uid]', 'dashboard-made');
await ops.click('#new-application button:has-text("Add application")');
await ops.locator('td', { hasText: 'Made in the dashboard' }).waitFor();
check((await svix.application.get('dashboard-made')).name === 'Made in the dashboard', 'an application added in the dashboard is in the API');
// an event type added in the dashboard's form with a schema, checked through the SDK, archived there
await ops.click('nav >> text=Event types');
await ops.waitForURL(/\/dashboard\/event-types$/);
await ops.fill('#new-event-type input[name=name]', 'invoice.refunded');
await ops.fill('#new-event-type input[name=description]', 'A refund was made');
await ops.fill('#new-event-type textarea[name=schemas]', '{"1": {"type": "object", "required": ["invoice"]}}');
await ops.check('#new-event-type input[name=validatePayloads]');
await ops.click('#new-event-type button:has-text("Add event type")');
await ops.locator('td a', { hasText: 'invoice.refunded' }).waitFor();
const refunded = await svix.eventType.get('invoice.refunded');
check(refunded.description === 'A refund was made' && refunded.schemas?.['1']?.required?.[0] === 'invoice', 'an event type added in the dashboard is in the API');
await ops.click('td a >> text=invoice.refunded');
await ops.click('button:has-text("Archive")');
await ops.locator('button:has-text("Unarchive")').waitFor();
check((await svix.eventType.get('invoice.refunded')).archived === true, 'Archive (confirmed) archives it');
if (shots) await ops.screenshot({ path: `${shots}/6a-event-type.png`, fullPage: true });
// a connector added in the dashboard's form, checked through the SDK, then deleted there
await ops.click('nav >> text=Connectors');
await ops.waitForURL(/\/dashboard\/connectors$/);
await ops.fill('#new-connector input[name=name]', 'Discord');
await ops.selectOption('#new-connector select[name=kind]', 'Discord');
await ops.fill('#new-connector textarea[name=transformation]', '{"body": {"content": "{{eventType}}"}}');
await ops.click('#new-connector button:has-text("Add connector")');
await ops.locator('td a', { hasText: 'Discord' }).waitFor();
const discord = (await svix.connector.list()).data.find(c => c.name === 'Discord');
check(discord?.kind === 'Discord' && discord.transformation === '{"body":{"content":"{{eventType}}"}}', 'a connector added in the dashboard is in the API');
if (shots) await ops.screenshot({ path: `${shots}/6b-connectors.png`, fullPage: true });
await ops.click('td a >> text=Discord');
await ops.click('button:has-text("Delete")');
await ops.waitForURL(/\/dashboard\/connectors$/);
check((await svix.connector.list()).data.every(c => c.name !== 'Discord'), 'Delete (confirmed) deletes the connector');
await ops.click('nav >> text=Applications');
await ops.waitForURL(/\/dashboard\/apps$/);
await ops.click('text=Hold all delivery');
await ops.locator('text=All delivery is held').waitFor();
const held = await (await fetch(`${url}/api/v1/admin/pause`, { headers: { Authorization: `Bearer ${process.env.HERALD_TOKEN}` } })).json();
check(held.paused === true, 'Hold all delivery holds it (the API says paused)');
await ops.click('text=Resume delivery');
await ops.locator('text=Delivery is running.').waitFor();
if (shots) await ops.screenshot({ path: `${shots}/6-dashboard.png`, fullPage: true });
await ops.locator('tr', { hasText: app.id }).locator('text=Open its portal').click();
await ops.waitForURL(new RegExp(`/portal/${app.id}/endpoints$`));
check(await ops.locator('h1').textContent() === 'Endpoints', 'Open its portal opens the application\'s portal');

// the portal in a frame of another site's page (HERALD_PORTAL_FRAME_ANCESTORS), as Svix's portal is embedded
if (framedMode) {
const framed = await svix.authentication.appPortalAccess(app.id, {});
const framing = http.createServer((req, res) => {
  res.setHeader('Content-Type', 'text/html');
  res.end(`<!DOCTYPE html><title>Acme dashboard</title><iframe id="portal" src="${framed.url}" width="1150" height="850"></iframe>`);
});
await new Promise(r => framing.listen(Number(process.env.FRAMING_PORT), '127.0.0.1', r));
const host = await browser.newPage({ viewport: { width: 1200, height: 900 } });
host.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
await host.goto(`http://localhost:${process.env.FRAMING_PORT}/`);
const frame = host.frameLocator('#portal');
await frame.locator('h1', { hasText: 'Endpoints' }).waitFor();
check(true, 'the portal signs in inside another site\'s frame');
await frame.locator('input[name=url]').fill(`${hook}?framed`);
await frame.locator('text=Add endpoint').click();
await frame.locator('h1', { hasText: '?framed' }).waitFor();
check((await svix.endpoint.list(app.id)).data.some(e => e.url === `${hook}?framed`), 'a change made inside the frame reaches the API');
if (shots) await host.screenshot({ path: `${shots}/7-framed.png` });
// the other site's own script calls the API with an application's token, as the Svix SDK does in a browser: a
// cross-origin request with Authorization, so the browser asks first (a preflight) and must be let in by the answer
const fromPage = await host.evaluate(async ({ api, appId, token }) => {
  try {
    const r = await fetch(`${api}/api/v1/app/${appId}/endpoint`, { headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
    return { status: r.status, urls: (await r.json()).data.map(e => e.url) };
  } catch (e) { return { error: String(e) }; }
}, { api: url, appId: app.id, token: framed.token });
check(fromPage.status === 200 && fromPage.urls.includes(`${hook}?framed`), `another site's script reads the API across origins (CORS): ${JSON.stringify(fromPage).slice(0, 200)}`);
framing.close();
}

// a read-only link (AppPortalAccessIn.readOnly): everything shown, no change offered
const lookOnly = await svix.authentication.appPortalAccess(app.id, { readOnly: true });
const looker = await browser.newPage();
looker.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
await looker.goto(lookOnly.url);
await looker.waitForURL(/\/endpoints$/);
check((await looker.locator('header').textContent()).includes('read-only') && await looker.locator('text=Add endpoint').count() === 0,
  'a read-only link opens a portal that offers no change');

// a link written by hand with the application's uid: the portal's cookie belongs to the path with its id, which the
// sign-in follows (before session 43 it landed on the uid's path signed out)
const named = await svix.application.create({ name: 'Named Co', uid: `named-${Date.now()}` });
const namedAccess = await svix.authentication.appPortalAccess(named.id, {});
const byUid = await browser.newPage();
byUid.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
await byUid.goto(namedAccess.url.replace(`/portal/${named.id}#`, `/portal/${named.uid}#`));
await byUid.waitForURL(/\/endpoints$/);
check(byUid.url().includes(`/portal/${named.id}/endpoints`) && await byUid.locator('h1').textContent() === 'Endpoints'
  && (await byUid.locator('header').textContent()).includes('Named Co'), 'a link naming the application by uid signs in');

// the refused form (422) and the signed-out page (401) are answers the steps asked for; anything else is a fault
const unexpected = problems.filter(p => !/status of (422|401)\b/.test(p));
check(unexpected.length === 0, `no other console errors, no CSP violation${unexpected.length ? ': ' + unexpected.join(' | ') : ''}`);
await browser.close();
receiver.close();
console.log(failures === 0 ? 'ALL OK' : `${failures} FAILED`);
process.exit(failures === 0 ? 0 : 1);
