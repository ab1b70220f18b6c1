"""An echo bridge in Python with `websockets` (pip install websockets), doing the platform
side's handshake and framing as `miadi serve` does: the audio.drachtio.org subprotocol, a bearer
token, the open metadata as the first text frame, 16 kHz stereo frames as a byte stream (caller
on the left), an energy VAD (audioop, in C), and each utterance said back as 20 ms frames paced
200 ms ahead of real time, a mark at its end, killAudio when the caller speaks over it. It is the
peer `miadi bench bridge --servers python` measures Miadi against.

    python3 python-websockets-echo.py PORT TOKEN
"""
import asyncio
import audioop
import http
import json
import signal
import sys
import time

from websockets.asyncio.server import serve

RATE, FRAME, LEAD_MS = 16000, 320, 200
ONSET_FRAMES, HANGOVER_FRAMES, THRESHOLD, MAX_UTTERANCE = 3, 18, 400, 16000 * 10 * 2
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8091
TOKEN = sys.argv[2] if len(sys.argv) > 2 else ""


def check(connection, request):
    if request.path == "/healthz":
        return connection.respond(http.HTTPStatus.OK, "ok\n")
    offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
    if "audio.drachtio.org" not in offered and "audio.jambonz.org" not in offered:
        return connection.respond(http.HTTPStatus.BAD_REQUEST, "no audio.drachtio.org\n")
    if TOKEN and request.headers.get("Authorization") != "Bearer " + TOKEN:
        return connection.respond(http.HTTPStatus.UNAUTHORIZED, "bad token\n")
    return None


async def stream(ws):
    try:
        json.loads(await ws.recv())
    except Exception:
        await ws.close(1008, "the first frame is not JSON")
        return
    carry, speaking, loud_frames, quiet_frames = b"", False, 0, 0
    utterance = bytearray()
    replies = 0
    player = None

    async def play(frames, number):
        started = time.monotonic()
        for index, frame in enumerate(frames):
            wait = started + (index * 20 - LEAD_MS) / 1000 - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            await ws.send(frame)
        await ws.send(json.dumps({"type": "mark", "data": {"name": f"echo-{number}-end"}}))

    async for message in ws:
        if isinstance(message, str):
            continue
        data = carry + message
        whole = len(data) - len(data) % (FRAME * 4)
        carry = data[whole:]
        for at in range(0, whole, FRAME * 4):
            left = audioop.tomono(data[at:at + FRAME * 4], 2, 1, 0)
            loud = audioop.rms(left, 2) > THRESHOLD
            if speaking or loud_frames > 0:
                if len(utterance) < MAX_UTTERANCE:
                    utterance += left
            if loud:
                loud_frames, quiet_frames = loud_frames + 1, 0
            else:
                quiet_frames += 1
                if not speaking:
                    loud_frames = 0
                    utterance.clear()
            if not speaking and loud_frames >= ONSET_FRAMES:
                speaking = True
                if player and not player.done():
                    player.cancel()
                    await ws.send('{"type":"killAudio"}')
            if speaking and quiet_frames >= HANGOVER_FRAMES:
                speaking, loud_frames = False, 0
                body = bytes(utterance[: max(0, len(utterance) - HANGOVER_FRAMES * FRAME * 2)])
                utterance.clear()
                replies += 1
                frames = [body[i:i + FRAME * 2] for i in range(0, len(body) - FRAME * 2 + 1, FRAME * 2)]
                player = asyncio.create_task(play(frames, replies))
    if player:
        player.cancel()


async def main():
    async with serve(stream, "127.0.0.1", PORT, subprotocols=["audio.drachtio.org", "audio.jambonz.org"],
                     process_request=check, max_size=1 << 20, compression=None, ping_interval=30):
        print(f"python-websockets-echo listening on {PORT}", flush=True)
        await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    # A parent may hand down a signal mask that blocks SIGTERM: stop when asked.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    asyncio.run(main())
