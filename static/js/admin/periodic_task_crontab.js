"use strict";
// The periodic task form shows the chosen crontab in words under its field
// (templates/admin/djcelery/change_periodictask_form.html): a file, not an inline script, so the
// admin runs under a Content Security Policy without 'unsafe-inline'.
(function () {
    const script = document.getElementById("periodic-task-crontab");
    const source = document.getElementById("readable-crontabs");
    const select = document.getElementById("id_crontab");
    const help = document.querySelector(".field-crontab .help");
    const copy = document.querySelector(".field-crontab_translation");
    if (copy) {
        copy.style.display = "none";  // a style property, not an attribute: allowed by the policy
    }
    if (!script || !source || !select || !help) {
        return;
    }
    const readable = JSON.parse(source.textContent);
    const words = document.createElement("div");
    help.appendChild(words);
    function show() {
        const text = readable[select.value];
        words.textContent = text ? script.dataset.label + " " + text : "";
    }
    select.addEventListener("change", show);
    show();
})();
