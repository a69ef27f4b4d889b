"""DocEngine's UNO bridge: starts one LibreOffice listener and converts documents to PDF on request.

Run by DocEngine (src/DocEngine.Core/Conversion/LibreOfficeListener.cs) inside the sandbox, never by hand. It starts
soffice.bin with its own profile, listening on a named pipe (a Unix socket in the sandbox's scratch folder), connects
to it over UNO, then reads one JSON request per line on stdin and answers one JSON line on stdout:

  {"input": "/abs/in.docx", "output": "/abs/out.pdf", "filter": "MS Word 2007 XML", "max_pages": 500}
  -> {"ok": true, "pages": 3}   or   {"ok": false, "reason": "PASSWORD_REQUIRED" | "LOAD_FAILED" | ..., "detail": "..."}

Macros never run (MacroExecutionMode NEVER_EXECUTE, and the profile DocEngine writes, libreoffice-profile.xcu, disables
them), links are never updated (UpdateDocMode NO_UPDATE, and the profile blocks untrusted referer links), and any dialog LibreOffice would show is
answered "abort" by the interaction handler, which also notes a password request. stdin's end stops everything.
"""
import ctypes
import json
import os
import signal
import subprocess
import sys
import time

import uno
import unohelper
from com.sun.star.beans import PropertyValue
from com.sun.star.task import XInteractionHandler


PDF_EXPORT = {"writer": "writer_pdf_Export", "calc": "calc_pdf_Export"}


class Handler(unohelper.Base, XInteractionHandler):
    """Answers every request with abort; remembers whether LibreOffice asked for a password.

    The request itself is not read: pyuno on Python 3.11 cannot convert the exception structs it carries. A password
    request is the one whose continuations include XInteractionPassword.
    """

    def __init__(self):
        self.password_requested = False

    def handle(self, request):
        abort = None
        for continuation in request.getContinuations():
            types = " ".join(t.typeName for t in continuation.getTypes())
            if "XInteractionPassword" in types:
                self.password_requested = True
            if "XInteractionAbort" in types:
                abort = continuation
        if abort is not None:
            abort.select()


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def die_with_parent():
    # If the bridge dies (killed at the time limit), its LibreOffice dies with it.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Office:
    """The soffice.bin child: started again once when a new profile makes it exit with 81 (what oosplash does)."""

    def __init__(self, soffice, profile, pipe):
        self.args = [soffice, "--headless", "--invisible", "--nocrashreport", "--nodefault", "--nologo", "--nofirststartwizard",
                     "--norestore", "--nolockcheck", "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % pipe,
                     "-env:UserInstallation=" + uno.systemPathToFileUrl(profile)]
        self.restarts = 0
        if not os.path.isdir(os.path.join(profile, "user", "config")):
            # A new profile: soffice.bin writes it and exits with 81, asking to be started again (oosplash does that).
            # Done before listening, so the bridge never connects to the instance that is about to exit.
            subprocess.run([soffice, "--headless", "--terminate_after_init", "--norestore", self.args[-1]], timeout=120,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent)
        self.process = self.start()

    def start(self):
        return subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                preexec_fn=die_with_parent)

    def exited(self):
        code = self.process.poll()
        if code == 81 and self.restarts == 0:
            self.restarts += 1
            self.process = self.start()
            return None
        return code

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def connect(office, pipe, limit):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + limit
    while True:
        try:
            context = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        except Exception:
            code = office.exited()
            if code is not None:
                raise RuntimeError("LibreOffice exited with code %d while starting" % code)
            if time.monotonic() > deadline:
                raise RuntimeError("LibreOffice did not start listening within %d s" % limit)
            time.sleep(0.05)


def page_count(document):
    try:
        return document.getCurrentController().getPropertyValue("PageCount")
    except Exception:
        return None


def convert(desktop, request):
    handler = Handler()
    load = [prop("Hidden", True), prop("MacroExecutionMode", 0), prop("UpdateDocMode", 0),
            prop("InteractionHandler", handler), prop("Silent", True)]
    if request.get("filter"):
        load.append(prop("FilterName", request["filter"]))
    if request.get("password"):
        load.append(prop("Password", request["password"]))
    try:
        document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(request["input"]), "_blank", 0, tuple(load))
    except Exception as error:
        document = None
        detail = "%s: %s" % (type(error).__name__, getattr(error, "Message", str(error)))
    else:
        detail = "nothing was loaded"
    if document is None:
        reason = "PASSWORD_REQUIRED" if handler.password_requested else "LOAD_FAILED"
        if handler.password_requested and request.get("password"):
            reason = "WRONG_PASSWORD"
        return {"ok": False, "reason": reason, "detail": detail}
    try:
        used = next((a.Value for a in document.getArgs() if a.Name == "FilterName"), "")
        if used.startswith("Text") or used in ("generic_Text", "Text (encoded)"):
            # LibreOffice falls back to importing unknown bytes as plain text; that is not the document sent.
            return {"ok": False, "reason": "LOAD_FAILED", "detail": "read only as plain text (%s)" % used}
        family = "calc" if document.supportsService("com.sun.star.sheet.SpreadsheetDocument") else "writer"
        pages = page_count(document) if family == "writer" else None
        limit = request.get("max_pages")
        if limit and pages and pages > limit:
            return {"ok": False, "reason": "TOO_MANY_PAGES", "pages": pages}
        export = (prop("FilterName", PDF_EXPORT[family]),
                  prop("FilterData", uno.Any("[]com.sun.star.beans.PropertyValue", tuple([
                      prop("ExportFormFields", False), prop("ExportNotes", False), prop("UseTaggedPDF", False)]))))
        document.storeToURL(uno.systemPathToFileUrl(request["output"]), export)
        return {"ok": True, "pages": pages, "family": family, "filter": used}
    finally:
        try:
            document.close(True)
        except Exception:
            document.dispose()


def main():
    options = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    office = Office(options["--soffice"], options["--profile"], options["--pipe"])
    try:
        desktop = connect(office, options["--pipe"], float(options.get("--start-limit", "60")))
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            try:
                answer = convert(desktop, request)
            except Exception as error:  # a crash of LibreOffice mid-conversion, a lost bridge
                answer = {"ok": False, "reason": "CONVERTER_FAILED", "detail": "%s: %s" % (type(error).__name__, error)}
            detail = answer.get("detail", "")
            lost = any(word in detail.lower() for word in ("dispos", "bridge"))
            if not answer.get("ok") and not lost and answer.get("reason") == "LOAD_FAILED" \
                    and ":" in detail and not detail.startswith(("IllegalArgumentException", "IOException")):
                # A load that failed with a runtime error may be LibreOffice dying on the document; on a busy machine its
                # process can take a moment to be gone, so give it that moment before calling the document damaged.
                try:
                    office.process.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
            if not answer.get("ok") and (lost or office.process.poll() is not None):
                # LibreOffice died on this document (its bridge was disposed mid-call): not the document's fault alone.
                try:
                    office.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
                answer["reason"] = "CONVERTER_FAILED"
            print(json.dumps(answer), flush=True)
            if office.process.poll() is not None:
                break
    except Exception as error:
        print(json.dumps({"ready": False, "detail": str(error)}), flush=True)
    finally:
        office.stop()


if __name__ == "__main__":
    main()
