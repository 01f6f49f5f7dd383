// The agent desktop's live connection (GET /api/agent/ws, authenticated by the session cookie
// of this same-origin page). It reconnects with a growing, jittered delay; every (re)connection
// starts with a "hello" carrying the whole desk, so a reconnect resynchronises what was missed.
// Any message sent renews the desk's lease, so the ping doubles as the heartbeat.
export type Status = "connecting" | "up" | "down";

export class DeskSocket {
  private ws: WebSocket | null = null;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private ping: ReturnType<typeof setInterval> | undefined;
  private attempt = 0;
  private stopped = false;

  constructor(
    private readonly onMessage: (m: unknown) => void,
    private readonly onStatus: (s: Status) => void,
    private readonly onDrop: () => void,
    private readonly pingEvery = 10_000,
  ) {}

  open() {
    this.stopped = false;
    this.onStatus(this.attempt === 0 ? "connecting" : "down");
    const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/api/agent/ws`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.onStatus("up");
      this.ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send("ping"), this.pingEvery);
    };
    ws.onmessage = (e) => {
      try {
        this.onMessage(JSON.parse(String(e.data)));
      } catch {
        /* not ours: ignore */
      }
    };
    ws.onclose = () => {
      clearInterval(this.ping);
      if (this.ws !== ws || this.stopped) return;
      this.onStatus("down");
      this.onDrop();
      const delay = Math.min(8000, 500 * 2 ** this.attempt++) * (0.75 + Math.random() * 0.5);
      this.retry = setTimeout(() => this.open(), delay);
    };
  }

  close() {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.ping);
    this.ws?.close();
    this.ws = null;
  }
}
