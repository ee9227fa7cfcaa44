// The REST API's request bodies, for Node-RED's `httpNodeMiddleware` (settings.cjs). It runs in
// every http-in route before Node-RED's own body parsers; for /api/ it reads the body itself and
// parses it as JSON, so that a body that is not JSON is a JSON 400 ("body is not JSON: …") rather
// than body-parser's HTML error page with a stack trace and server paths. It marks the body as
// parsed (req._body), which makes Node-RED's parsers (body-parser, its raw parser) pass it by.
// CommonJS because settings.cjs require()s it. Hand-written rather than raw-body because
// raw-body is only Node-RED's dependency, not ours, and a bounded read is a dozen lines.
const MAX_BODY_BYTES = 1024 * 1024;

function sendJson(res, status, error, message) {
  res
    .status(status)
    .set('content-type', 'application/json')
    .send(JSON.stringify({ error, message }));
}

function apiJsonBody(req, res, next) {
  const path = (req.originalUrl || '').split('?')[0];
  if (!path.startsWith('/api/') || req.method === 'GET' || req.method === 'HEAD') return next();
  if (req._body || req.readableEnded) return next();
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    // Past the limit the rest is read and dropped, so the client gets the answer, not a reset.
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('error', (error) =>
    sendJson(res, 400, 'bad-request', `reading the body failed: ${error.message}`),
  );
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) {
      sendJson(
        res,
        413,
        'too-large',
        `the body is ${size} bytes; at most ${MAX_BODY_BYTES} allowed`,
      );
      return;
    }
    req._body = true;
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') {
      req.body = undefined;
      next();
      return;
    }
    try {
      req.body = JSON.parse(text);
    } catch (error) {
      sendJson(res, 400, 'bad-request', `body is not JSON: ${error.message}`);
      return;
    }
    next();
  });
}

module.exports = { apiJsonBody, MAX_BODY_BYTES };
