// 选举 ballot (votes/vote.html): counts the 赞成 marks and the 另选他人 as they change and warns
// above the seats. A static file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  const form = document.getElementById("ballot");
  const out = document.getElementById("yes-count");
  if (!form || !out || form.dataset.seats === undefined) return;
  const seats = parseInt(form.dataset.seats, 10);
  function update() {
    let yes = form.querySelectorAll("input[value=yes]:checked").length;
    form.querySelectorAll("#write-ins select").forEach((s) => { if (s.value) yes += 1; });
    out.textContent = "　已赞成 " + yes + " 人" + (yes > seats ? "，超过应选人数！" : "");
    out.classList.toggle("yes-count-over", yes > seats);
  }
  form.addEventListener("change", update);
  update();
})();
