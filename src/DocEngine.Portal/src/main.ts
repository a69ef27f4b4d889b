// The portal page: a person chooses or drops documents; each is uploaded resumably into one application and shown
// back (see card.ts). Outside Development the page holds only an applicant token, for one application: from the link
// that opened it (?token=…), or from the portal's back end (DocEngine:Portal:TokenUrl). In Development it may use the
// development key from the server's settings, or one the person types.
import { Code, ConnectError } from "@connectrpc/connect";
import { connect, fetchToken, loadConfig, sentence, tokenApplication, type Clients, type Credential, type PortalConfig } from "./client";
import { FileCard, type CardSettings } from "./card";
import { formatBytes } from "./upload";

const applicationKey = "docengine.application";
const apiKeyKey = "docengine.apiKey";
const tokenKey = "docengine.token";

/** The application an applicant token opens; null when the page works with a tenant key. */
let tokenScope: string | null = null;

async function start(): Promise<void> {
  const status = byId("status");
  const config = await loadConfig().catch((error: unknown) => {
    status.textContent = error instanceof Error ? error.message : String(error);
    return null;
  });
  if (!config) {
    return;
  }
  const credential = await chooseCredential(config);
  if (!credential) {
    status.textContent = "This page needs an access token from your portal: open it again from the link your portal gave you.";
    byId<HTMLInputElement>("files").disabled = true;
    byId("key-form").hidden = true;
    byId("new-application").hidden = true;
    return;
  }
  const clients = connect(credential);
  byId("max-size").textContent = formatBytes(config.maxUploadBytes);
  const settings: CardSettings = { chunkBytes: config.chunkBytes, targetBytes: config.targetBytes, previewWidth: config.previewWidth };
  showApplication(tokenScope ?? localStorage.getItem(applicationKey));
  const input = byId<HTMLInputElement>("files");
  input.addEventListener("change", () => {
    void receive(clients, [...(input.files ?? [])], settings);
    input.value = ""; // choosing the same file again (to resume it) fires change again
  });
  const drop = byId("drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("dragging");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("dragging");
    void receive(clients, [...(event.dataTransfer?.files ?? [])], settings);
  });
  byId("new-application").hidden = tokenScope !== null; // a token opens one application: there is no other to start
  byId("new-application").addEventListener("click", () => {
    localStorage.removeItem(applicationKey);
    showApplication(null);
    byId("files-list").replaceChildren();
  });
  status.textContent = "Ready.";
}

async function receive(clients: Clients, files: File[], settings: CardSettings): Promise<void> {
  if (files.length === 0) {
    return;
  }
  const status = byId("status");
  let application: string;
  try {
    application = await ensureApplication(clients);
  } catch (error) {
    status.textContent = sentence(error);
    return;
  }
  const list = byId("files-list");
  await Promise.all(files.map((file) => {
    const card = new FileCard(file);
    list.prepend(card.element);
    return card.run(clients, application, settings);
  }));
}

/**
 * Picks the page's credential: an applicant token (a ?token= link, kept for this tab; else one from the portal's back
 * end), else — in Development only — the configured key or one the person types. Null when there is none to use.
 */
async function chooseCredential(config: PortalConfig): Promise<Credential | null> {
  const fromLink = new URLSearchParams(location.search).get("token");
  if (fromLink) {
    sessionStorage.setItem(tokenKey, fromLink);
    // The token leaves the address bar and the history, so it is not bookmarked, shared or sent on.
    history.replaceState(null, "", location.pathname);
  }
  let token = sessionStorage.getItem(tokenKey) ?? (config.tokenUrl ? await fetchToken(config.tokenUrl).catch(() => null) : null);
  if (token) {
    tokenScope = tokenApplication(token);
    byId("key-form").hidden = true;
    return {
      value: () => token ?? "",
      refresh: async () => {
        const fresh = config.tokenUrl ? await fetchToken(config.tokenUrl).catch(() => null) : null;
        if (fresh) {
          token = fresh;
          sessionStorage.setItem(tokenKey, fresh);
        }
        return fresh !== null;
      },
    };
  }
  if (!config.development) {
    return null;
  }
  const keyInput = byId<HTMLInputElement>("api-key");
  byId("key-form").addEventListener("submit", (event) => {
    event.preventDefault(); // Enter in the key field keeps the page (the key is taken on change)
    keyInput.dispatchEvent(new Event("change"));
  });
  if (config.apiKey) {
    byId("key-form").hidden = true;
  } else {
    keyInput.value = sessionStorage.getItem(apiKeyKey) ?? "";
    keyInput.addEventListener("change", () => {
      sessionStorage.setItem(apiKeyKey, keyInput.value.trim());
      localStorage.removeItem(applicationKey); // another key is another portal: its applications are not ours
      showApplication(null);
    });
  }
  return { value: () => config.apiKey ?? keyInput.value.trim(), refresh: async () => false };
}

/** The application this browser adds documents to: the token's, or one created on the first upload and kept across reloads. */
async function ensureApplication(clients: Clients): Promise<string> {
  if (tokenScope) {
    return tokenScope;
  }
  const remembered = localStorage.getItem(applicationKey);
  if (remembered) {
    try {
      const { application } = await clients.applications.getApplication({ name: remembered });
      return application!.name;
    } catch (error) {
      if (ConnectError.from(error).code !== Code.NotFound) {
        throw error;
      }
    }
  }
  const { application } = await clients.applications.createApplication({ displayName: "Created from the portal page" });
  localStorage.setItem(applicationKey, application!.name);
  showApplication(application!.name);
  return application!.name;
}

function showApplication(name: string | null): void {
  byId("application").textContent = name
    ? `Documents go into application ${name.replace("applications/", "")}.`
    : "A new application is created with the first upload.";
}

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

void start();
