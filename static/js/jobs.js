// Moves the progress bars of running jobs. Without JavaScript the page refreshes itself
// (a <noscript> refresh) and the "Refresh" link shows the same.
// Each bar asks its job's status every two seconds; when a job ends, the page reloads to
// show its result (the download link, or why it failed).
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll(".job[data-job-status]")) {
    if (box.dataset.finished === "true") continue;
    const bar = box.querySelector("progress");
    const count = box.querySelector(".job-count");
    const tick = async () => {
      try {
        const answer = await fetch(box.dataset.jobStatus, { credentials: "same-origin" });
        if (!answer.ok) return;
        const job = await answer.json();
        if (job.percent !== null) bar.value = job.percent;
        if (job.total) count.textContent = `${job.done.toLocaleString("vi-VN")} / ${job.total.toLocaleString("vi-VN")}`;
        if (job.finished) {
          window.location.reload();
          return;
        }
      } catch (error) {
        // a lost connection: try again at the next tick
      }
      window.setTimeout(tick, 2000);
    };
    window.setTimeout(tick, 1000);
  }
});
