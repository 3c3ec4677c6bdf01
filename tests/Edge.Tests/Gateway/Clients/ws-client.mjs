// A WebSocket client in Node (its built-in WHATWG WebSocket, undici): a second, independent client implementation
// for the gateway's WebSocket tests. Usage: node --experimental-websocket ws-client.mjs ws://host:port/path
// Sends "hello", a 40,000-byte binary message (bytes i % 251), then "bye"; prints one JSON line with what came back.
const url = process.argv[2];
const ws = new WebSocket(url);
ws.binaryType = "arraybuffer";
const received = [];
const timer = setTimeout(() => { console.log(JSON.stringify({ error: "timeout", received })); process.exit(2); }, 10000);
ws.onopen = () => {
  ws.send("hello");
  const big = new Uint8Array(40000);
  for (let i = 0; i < big.length; i++) big[i] = i % 251;
  ws.send(big);
  ws.send("bye");
};
ws.onmessage = (e) => {
  if (typeof e.data === "string") {
    received.push({ text: e.data });
  } else {
    const bytes = new Uint8Array(e.data);
    let intact = true;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== i % 251) { intact = false; break; }
    received.push({ binary: bytes.length, intact });
  }
};
ws.onerror = (e) => { received.push({ error: String(e.message ?? e.type) }); };
ws.onclose = (e) => {
  clearTimeout(timer);
  console.log(JSON.stringify({ received, code: e.code, reason: e.reason }));
};
