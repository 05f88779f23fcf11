/* Customer web chat: mounts the bundled rasa-webchat widget with the page's signed session,
   and uploads photos as evidence. No inline script (the page's CSP forbids it). */
(function () {
  "use strict";
  var container = document.getElementById("chat-widget");
  var status = document.getElementById("chat-status");
  var sessionId = container.getAttribute("data-session-id");
  var signature = container.getAttribute("data-signature");
  var socketUrl = container.getAttribute("data-socket-url");
  var STORAGE_KEY = "chat_session";

  function say(element, text) { element.textContent = text; }

  // The widget keeps its session id in localStorage; forget one that is not this page's signed session.
  try {
    var stored = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "null");
    if (stored && stored.session_id && stored.session_id !== sessionId) {
      window.localStorage.removeItem(STORAGE_KEY);
    }
  } catch (e) { window.localStorage.removeItem(STORAGE_KEY); }

  if (!window.WebChat || !window.WebChat.default) {
    say(status, "The chat could not be loaded. Please reload the page.");
    return;
  }

  var query = "?session_id=" + encodeURIComponent(sessionId) + "&signature=" + encodeURIComponent(signature);
  window.WebChat.default({
    socketUrl: socketUrl.replace(/\/+$/, "") + "/" + query,
    socketPath: "/socket.io/",
    customData: { session_signature: signature },
    initPayload: "/greet",
    title: "Customer care",
    subtitle: "We reply straight away",
    inputTextFieldHint: "Type your message",
    embedded: true,
    hideWhenNotConnected: false,
    showMessageDate: false,
    customMessageDelay: function () { return 0; },
    // colours with at least 4.5:1 contrast (WCAG AA)
    mainColor: "#1f4f85",
    userBackgroundColor: "#1f4f85",
    userTextColor: "#ffffff",
    assistBackgoundColor: "#eef2f6",
    assistTextColor: "#111111",
    params: { storage: "local" },
    onSocketEvent: {
      connect: function () { say(status, "Connected to customer care."); },
      disconnect: function () { say(status, "Connection lost, trying again..."); },
      session_refused: function () { say(status, "This chat session is not valid. Please reload the page."); }
    }
  }, container);

  // Screen-reader labels for the widget's unlabelled controls (it renders asynchronously).
  function labelWidget() {
    var input = container.querySelector("input.rw-new-message, textarea.rw-new-message, .rw-new-message");
    if (input && !input.getAttribute("aria-label")) { input.setAttribute("aria-label", "Your message"); }
    var send = container.querySelector("button.rw-send");
    if (send && !send.getAttribute("aria-label")) { send.setAttribute("aria-label", "Send message"); }
    var messages = container.querySelector("#rw-messages, .rw-messages-container");
    if (messages && !messages.getAttribute("role")) {
      messages.setAttribute("role", "log");
      messages.setAttribute("aria-live", "polite");
      messages.setAttribute("aria-label", "Conversation with customer care");
      messages.setAttribute("tabindex", "0");
    }
    container.querySelectorAll(".rw-replies .rw-reply").forEach(function (reply) {
      if (reply.tagName !== "BUTTON" && !reply.getAttribute("role")) {
        reply.setAttribute("role", "button");
        reply.setAttribute("tabindex", "0");
      }
    });
  }
  // Quick replies rendered as divs: make Enter and Space click them.
  container.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains("rw-reply") && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      target.click();
    }
  });
  new MutationObserver(labelWidget).observe(container, { childList: true, subtree: true });
  labelWidget();

  // Photos: one request per file, authorised by the signed session.
  var form = document.getElementById("photo-form");
  var input = document.getElementById("photo-input");
  var photoStatus = document.getElementById("photo-status");
  var list = document.getElementById("photo-list");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) { say(photoStatus, "Choose one or more photos first."); input.focus(); return; }
    say(photoStatus, "Sending " + files.length + " photo(s)...");
    var sent = 0;
    var chain = Promise.resolve();
    files.forEach(function (file) {
      chain = chain.then(function () {
        return fetch(form.getAttribute("action"), {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/octet-stream",
            "X-Chat-Session": sessionId,
            "X-Chat-Signature": signature,
            "X-Filename": encodeURIComponent(file.name)
          },
          body: file
        }).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            if (!response.ok) { throw new Error(body.error || "The photo could not be attached."); }
            sent += 1;
            var item = document.createElement("li");
            item.textContent = file.name + " attached";
            list.appendChild(item);
          });
        });
      });
    });
    chain.then(function () {
      say(photoStatus, sent + " photo(s) attached to your complaint.");
      form.reset();
    }).catch(function (error) {
      say(photoStatus, (sent ? sent + " photo(s) attached. " : "") + error.message);
    });
  });
}());
