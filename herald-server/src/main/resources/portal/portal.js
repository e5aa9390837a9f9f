// The app portal's sign-in: the link's token is in the address's fragment, which browsers never send to a server.
// It is handed to the portal once, kept there in an HttpOnly cookie, and taken out of the address bar and history.
(function () {
  var base = location.pathname.replace(/\/+$/, '');
  var match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  history.replaceState(null, '', base);
  var open = function () { location.replace(base + '/endpoints'); };
  if (!match) { open(); return; }
  fetch(base + '/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'HX-Request': 'true' },
    body: 'token=' + encodeURIComponent(decodeURIComponent(match[1]))
  }).then(function (answer) {
    // a link naming the application by uid: the portal's cookie belongs to the path with its id
    var path = answer.headers.get('X-Portal-Path');
    if (answer.ok && path && /^\/portal\/[A-Za-z0-9_]+$/.test(path)) base = path;
    open();
  }, open);
})();
