// A stock automerge-repo client (@automerge/automerge-repo with its WebSocket adapter,
// from npm), driven by tests/sync_interop.rs: it finds a draft on Pint's server, prints
// its text, optionally appends to it, and stays connected for a moment so the change
// reaches the server. Prints one JSON line: {"before", "after", "doc"} or {"error"}.
//
// usage: node client.mjs WS_URL DOCUMENT_ID [TEXT_TO_APPEND]

import { Repo, splice } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";

const [url, documentId, append] = process.argv.slice(2);
const done = (result, code = 0) => {
  console.log(JSON.stringify(result));
  process.exit(code);
};
setTimeout(() => done({ error: "timed out" }, 2), 20_000);

const repo = new Repo({ network: [new WebSocketClientAdapter(url)] });
try {
  const handle = await repo.find(documentId);
  const before = handle.doc().body;
  if (append) {
    handle.change((d) => splice(d, ["body"], d.body.length, 0, append));
    // Stay long enough for the change to be sent and acknowledged.
    await new Promise((r) => setTimeout(r, 1_500));
  }
  // The whole draft as plain JSON, as any JavaScript app would read it (a BigInt
  // anywhere in it would make JSON.stringify throw).
  done({ before, after: handle.doc().body, doc: JSON.parse(JSON.stringify(handle.doc())) });
} catch (e) {
  done({ error: String(e?.message ?? e) });
}
