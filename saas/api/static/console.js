// The API page's console: send one request with the token typed in, show the answer.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector(".api-console");
  if (!form) return;
  const out = document.getElementById("api-response");
  document.querySelectorAll(".api-try").forEach((button) => {
    button.addEventListener("click", () => {
      document.getElementById("api-method").value = button.dataset.method;
      document.getElementById("api-path").value = button.dataset.path;
      document.getElementById("console").scrollIntoView();
    });
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const method = document.getElementById("api-method").value;
    const path = document.getElementById("api-path").value;
    const body = document.getElementById("api-body").value.trim();
    const headers = {Authorization: "Bearer " + document.getElementById("api-token").value.trim()};
    const init = {method, headers, credentials: "omit"};
    if (body && method !== "GET" && method !== "DELETE") {
      headers["Content-Type"] = "application/json";
      init.body = body;
    }
    out.textContent = "…";
    try {
      const response = await fetch(path, init);
      const text = await response.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
      out.textContent = response.status + " " + response.statusText + "\n\n" + shown;
    } catch (error) {
      out.textContent = String(error);
    }
  });
});
