// Modal dialogs on the native <dialog> element, opened with showModal().
//
// Why the native element: showModal() puts the dialog in the top layer and makes the rest of the
// page inert (no clicks, no focus, hidden from assistive technology) without walking the DOM, and it
// works under the content security policy (a module from 'self', no inline script or style). What it
// leaves to this module: Tab wraps inside the dialog (browsers let it leave for their own toolbar),
// Escape is a request that .NET may answer with a question (an uncopied token) instead of the
// browser closing the dialog, and focus returns to the opener even though Blazor removes the dialog
// with the same render that may remove the opener too.

const tabbable = "a[href], button, input, select, textarea, summary, [tabindex], [contenteditable]";
const shown = new Map(); // dialog id → { dialog, opener, dotnet }

/** Opens the dialog as a modal; its element with `autofocus` (else its first control) gets focus. */
export function show(dialog, dotnet) {
  if (!dialog.isConnected) {
    return; // the owner closed it again before the module had loaded
  }

  shown.set(dialog.id, { dialog, opener: document.activeElement, dotnet });
  dialog.addEventListener("keydown", onKeyDown);
  dialog.addEventListener("cancel", onCancel);
  dialog.addEventListener("close", onClose);
  dialog.showModal();
}

/** Closes the dialog (which Blazor may already have removed) and focuses its opener, else the fallback. */
export function hide(id, fallbackSelector) {
  const state = shown.get(id);
  if (!state) {
    return;
  }

  shown.delete(id);
  const { dialog, opener } = state;
  dialog.removeEventListener("keydown", onKeyDown);
  dialog.removeEventListener("cancel", onCancel);
  dialog.removeEventListener("close", onClose);
  if (dialog.open) {
    dialog.close();
  }

  // After the render batch that closed the dialog is in the DOM: it may have removed the opener.
  setTimeout(() => {
    if (!focusIfPossible(opener) && fallbackSelector) {
      focusIfPossible(document.querySelector(fallbackSelector), true);
    }
  });
}

function focusIfPossible(element, evenIfNotTabbable = false) {
  if (!element || !element.isConnected || element === document.body) {
    return false;
  }

  if (evenIfNotTabbable && !element.hasAttribute("tabindex") && element.tabIndex < 0) {
    element.setAttribute("tabindex", "-1"); // a heading, as Blazor's FocusOnNavigate does
  }

  element.focus();
  return document.activeElement === element;
}

function controls(dialog) {
  return [...dialog.querySelectorAll(tabbable)].filter(element =>
    element.tabIndex >= 0 && !element.disabled && element.getClientRects().length > 0);
}

function onKeyDown(event) {
  const dialog = event.currentTarget;
  if (event.key === "Escape") {
    // No native close: the component's own Escape handler decides (and may ask first).
    event.preventDefault();
    return;
  }

  if (event.key !== "Tab") {
    return;
  }

  const items = controls(dialog);
  if (items.length === 0) {
    event.preventDefault();
    return;
  }

  const [first, last] = [items[0], items[items.length - 1]];
  const active = document.activeElement;
  if (event.shiftKey && (active === first || !dialog.contains(active) || active === dialog)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !dialog.contains(active) || active === dialog)) {
    event.preventDefault();
    first.focus();
  }
}

// Escape while nothing inside has focus (after a click on the backdrop) arrives as "cancel".
function onCancel(event) {
  event.preventDefault();
  shown.get(event.currentTarget.id)?.dotnet.invokeMethodAsync("RequestCloseAsync");
}

// A cancel the browser would not let us prevent (no user activation since the last one) closes the
// dialog anyway: open it again and ask, so that no single keystroke loses what it shows.
function onClose(event) {
  const state = shown.get(event.currentTarget.id);
  if (state && state.dialog.isConnected) {
    state.dialog.showModal();
    state.dotnet.invokeMethodAsync("RequestCloseAsync");
  }
}
