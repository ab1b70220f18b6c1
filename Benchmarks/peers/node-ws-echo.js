// An echo bridge in Node.js with Debian's `ws` (apt-get install node-ws), doing the platform
// side's handshake and framing as `miadi serve` does: the audio.drachtio.org subprotocol, a
// bearer token, the open metadata as the first text frame, 16 kHz stereo frames as a byte
// stream (caller on the left), an energy VAD, and each utterance said back as 20 ms frames paced
// 200 ms ahead of real time, a mark at its end, killAudio when the caller speaks over it.
// It is the peer `miadi bench bridge --servers node` measures Miadi against.
//
//   NODE_PATH=/usr/share/nodejs node node-ws-echo.js PORT TOKEN
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 8090);
const token = process.argv[3] || '';
const RATE = 16000, FRAME = RATE / 50, LEAD_MS = 200;
const ONSET_FRAMES = 3, HANGOVER_FRAMES = 18, THRESHOLD = 400, MAX_UTTERANCE = RATE * 10;

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') { res.end('ok\n'); return; }
  res.statusCode = 404; res.end();
});
const wss = new WebSocketServer({
  noServer: true, perMessageDeflate: false, maxPayload: 1 << 20,
  handleProtocols: (protocols) => protocols.has('audio.drachtio.org') ? 'audio.drachtio.org' : (protocols.has('audio.jambonz.org') ? 'audio.jambonz.org' : false),
});
server.on('upgrade', (req, socket, head) => {
  const offered = (req.headers['sec-websocket-protocol'] || '').split(',').map((s) => s.trim());
  if (!offered.includes('audio.drachtio.org') && !offered.includes('audio.jambonz.org')) { socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'); return; }
  if (token && req.headers.authorization !== 'Bearer ' + token) { socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n'); return; }
  wss.handleUpgrade(req, socket, head, (ws) => onStream(ws));
});

const streams = new Set();

function onStream(ws) {
  const s = {
    ws, metadata: null, carry: Buffer.alloc(0), speaking: false, loud: 0, quiet: 0,
    utterance: new Int16Array(MAX_UTTERANCE), length: 0, replies: 0,
    reply: null, replyAt: 0, replyStarted: 0, replySent: 0,
  };
  streams.add(s);
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      if (s.metadata === null) {
        try { s.metadata = JSON.parse(data.toString()); } catch (e) { ws.close(1008, 'the first frame is not JSON'); }
      }
      return;
    }
    if (s.metadata === null) { ws.close(1008, 'audio before the metadata'); return; }
    onAudio(s, data);
  });
  ws.on('close', () => streams.delete(s));
  ws.on('error', () => streams.delete(s));
}

function onAudio(s, data) {
  let bytes = s.carry.length ? Buffer.concat([s.carry, data]) : data;
  const whole = bytes.length - (bytes.length % (FRAME * 4));
  for (let at = 0; at < whole; at += FRAME * 4) {
    let energy = 0;
    for (let i = 0; i < FRAME; i++) {
      const v = bytes.readInt16LE(at + i * 4);
      energy += v * v;
      if (s.length < MAX_UTTERANCE && (s.speaking || s.loud > 0)) s.utterance[s.length++] = v;
    }
    const loud = Math.sqrt(energy / FRAME) > THRESHOLD;
    if (loud) { s.loud++; s.quiet = 0; } else { s.quiet++; if (!s.speaking) { s.loud = 0; s.length = 0; } }
    if (!s.speaking && s.loud >= ONSET_FRAMES) {
      s.speaking = true;
      if (s.reply) { s.ws.send('{"type":"killAudio"}'); s.reply = null; }
    }
    if (s.speaking && s.quiet >= HANGOVER_FRAMES) {
      s.speaking = false; s.loud = 0;
      const n = Math.max(0, s.length - HANGOVER_FRAMES * FRAME);
      const frames = [];
      for (let i = 0; i + FRAME <= n; i += FRAME) frames.push(Buffer.from(s.utterance.buffer, i * 2, FRAME * 2));
      s.reply = frames.map((f) => Buffer.from(f));
      s.replies++; s.replyStarted = Date.now(); s.replySent = 0; s.length = 0;
    }
  }
  s.carry = whole < bytes.length ? Buffer.from(bytes.subarray(whole)) : Buffer.alloc(0);
}

// One beat for every stream: each reply goes out at most LEAD_MS ahead of real time.
setInterval(() => {
  const now = Date.now();
  for (const s of streams) {
    if (!s.reply) continue;
    while (s.replySent < s.reply.length && s.replySent * 20 < now - s.replyStarted + LEAD_MS) s.ws.send(s.reply[s.replySent++]);
    if (s.replySent === s.reply.length) {
      s.ws.send(JSON.stringify({ type: 'mark', data: { name: `echo-${s.replies}-end` } }));
      s.reply = null;
    }
  }
}, 20);

server.listen(port, '127.0.0.1', () => console.log(`node-ws-echo listening on ${port}`));
process.on('SIGTERM', () => process.exit(0));
