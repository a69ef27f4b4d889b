// The portal page: a person chooses or drops documents; each is uploaded resumably into one application and shown
// back (see card.ts). The API key comes from the server's settings (Development) or from the person.
import { Code, ConnectError } from "@connectrpc/connect";
import { connect, loadConfig, sentence, type Clients } from "./client";
import { FileCard, type CardSettings } from "./card";
import { formatBytes } from "./upload";

const applicationKey = "docengine.application";
const apiKeyKey = "docengine.apiKey";

async function start(): Promise<void> {
  const status = byId("status");
  const config = await loadConfig().catch((error: unknown) => {
    status.textContent = error instanceof Error ? error.message : String(error);
    return null;
  });
  if (!config) {
    return;
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
  const clients = connect(() => config.apiKey ?? keyInput.value.trim());
  byId("max-size").textContent = formatBytes(config.maxUploadBytes);
  const settings: CardSettings = { chunkBytes: config.chunkBytes, targetBytes: config.targetBytes, previewWidth: config.previewWidth };
  showApplication(localStorage.getItem(applicationKey));

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

/** The application this browser adds documents to, created on the first upload and kept across reloads. */
async function ensureApplication(clients: Clients): Promise<string> {
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
