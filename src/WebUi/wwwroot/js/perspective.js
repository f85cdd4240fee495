// Small browser helpers the settings UI calls through JS interop. A file, not inline script: the CSP allows none.
"use strict";

window.perspective = {
  // The browser's time zone: its IANA name and its offset from UTC now (minutes, east positive).
  timeZone() {
    return { name: Intl.DateTimeFormat().resolvedOptions().timeZone ?? "", offsetMinutes: -new Date().getTimezoneOffset() };
  },

  // Calls owner.CloseFromOutside() when a pointer goes down outside the element (an open menu and its button).
  watchOutside(element, owner) {
    const listener = event => {
      if (!element.contains(event.target)) {
        owner.invokeMethodAsync("CloseFromOutside");
      }
    };
    element.perspectiveOutsideListener = listener;
    document.addEventListener("pointerdown", listener);
  },

  // One gRPC-Web unary call (Rpc/FetchCallInvoker.cs): POSTs the framed request to the app's own origin with the
  // sign-in cookie and answers { status, headers, body }; status 0 when the request could not be made or read.
  async grpcWebUnary(url, headers, body) {
    try {
      const response = await fetch(url, { method: "POST", headers, body, credentials: "same-origin", cache: "no-store", redirect: "error" });
      const bytes = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, headers: Object.fromEntries(response.headers), body: bytes };
    } catch {
      return { status: 0, headers: {}, body: new Uint8Array(0) };
    }
  },

  unwatchOutside(element) {
    if (element?.perspectiveOutsideListener) {
      document.removeEventListener("pointerdown", element.perspectiveOutsideListener);
      delete element.perspectiveOutsideListener;
    }
  },
};

// Menu buttons handle these keys in .NET; here only the browser's own reaction (scrolling the page) is
// stopped, which Blazor cannot decide per key.
document.addEventListener("keydown", event => {
  const inMenu = event.target.closest?.("[role=menu]");
  const onMenuButton = event.target.closest?.("[aria-haspopup=menu]");
  if ((onMenuButton && (event.key === "ArrowDown" || event.key === "ArrowUp"))
      || (inMenu && ["ArrowDown", "ArrowUp", "Home", "End", " "].includes(event.key))) {
    event.preventDefault();
  }
});
