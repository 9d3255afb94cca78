// The control page: open sessions, close and reopen them, go to their projector page.
"use strict";

(() => {
  const {token, api, el, status} = Room;

  async function refresh() {
    const {sessions} = await api("/api/sessions");
    const body = document.querySelector("#sessions tbody");
    body.replaceChildren(...sessions.map((s) => {
      const toggle = el("button", {type: "button", text: s.state === "open" ? "Close" : "Reopen"});
      toggle.addEventListener("click", async () => {
        await api(`/api/sessions/${s.id}/state`, {method: "POST",
          body: {state: s.state === "open" ? "closed" : "open"}});
        await refresh();
      });
      const link = el("a", {href: `/projector/${s.id}#token=${encodeURIComponent(token)}`,
                            text: "Projector", target: "_blank", rel: "noopener"});
      return el("tr", {}, [el("td", {text: String(s.id)}), el("td", {class: "code", text: s.join_code}),
        el("td", {text: s.module}), el("td", {text: String(s.seed)}), el("td", {text: String(s.joined)}),
        el("td", {text: s.state}), el("td", {}, [toggle, " ", link])]);
    }));
    document.getElementById("sessions-box").hidden = sessions.length === 0;
  }

  async function start() {
    if (!token) {
      status("This page needs the instructor token: open the control link printed when the room started.", true);
      return;
    }
    try {
      const {modules} = await api("/api/modules");
      document.getElementById("module").replaceChildren(...modules.map((m) =>
        el("option", {value: m.id, text: `${m.title} (${m.questions} questions)`})));
      document.getElementById("open-form").hidden = false;
      await refresh();
      status("Ready.");
    } catch (error) {
      status(error.message, true);
    }
  }

  document.getElementById("open-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const n = document.getElementById("n-questions").value;
    try {
      const made = await api("/api/sessions", {method: "POST", body: {
        module: document.getElementById("module").value,
        n_questions: n === "" ? null : Number(n), seed: Number(document.getElementById("seed").value)}});
      status(`Session ${made.id} is open: join code ${made.join_code}.`);
      await refresh();
    } catch (error) {
      status(error.message, true);
    }
  });

  start();
})();
