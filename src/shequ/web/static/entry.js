/* The data-entry grid: exact values checked as you type by the import rules, a comment per
   value, deleting a value (a cleared cell, with a reason), a block pasted from Excel
   (tab-separated), and moving like a spreadsheet (arrows, Enter, Tab). */
(function () {
  "use strict";
  const S = window.shequ;
  const zh = S.zh;

  function cellOf(input) {
    const cell = { org_unit: input.dataset.unit, data_element: input.dataset.element, value: input.value.trim() };
    if (cell.value === "" && input.dataset.original !== "") cell.deleted = true;
    if ((input.dataset.comment || "") !== (input.dataset.savedComment || "")) cell.comment = input.dataset.comment;
    return cell;
  }
  function changed(input) {
    return input.value.trim() !== input.dataset.original.trim() ||
      (input.dataset.comment || "") !== (input.dataset.savedComment || "");
  }
  function note(input, text) { input.nextElementSibling.textContent = text; }
  function showProblems(inputs, problems) {
    inputs.forEach(function (i) { i.classList.remove("bad"); note(i, ""); });
    problems.forEach(function (p) {
      const input = inputs[p.cell];
      if (!input) return;
      input.classList.add("bad");
      note(input, zh ? p.reason_zh : p.reason_en);
    });
  }
  function showRules(input, findings) {
    input.classList.remove("warn");
    if (!findings.length) return;
    input.classList.add("warn");
    note(input, findings.map(function (f) {
      return (f.importance === "high" ? (zh ? "【必须修正】" : "[must fix] ") : "") + (zh ? f.message_zh : f.message_en);
    }).join("；"));
  }

  function setupGrid() {
    const grid = document.getElementById("entry-grid");
    if (!grid) return;
    const period = grid.dataset.period;
    const rows = Array.from(grid.querySelectorAll("tbody tr")).map(function (tr) {
      return Array.from(tr.querySelectorAll("input.cell"));
    });
    const all = rows.flat();
    const comment = document.getElementById("entry-comment");
    const commentCell = document.getElementById("comment-cell");
    let current = null;

    /* check one cell with the other filled cells of its unit (the plan's rules read them) */
    function check(input) {
      if (input.value.trim() === "") {
        showProblems([input], []);
        if (input.dataset.original !== "") note(input, zh ? "将删除（须填原因）" : "to be deleted (give a reason)");
        markReason();
        return;
      }
      const row = all.filter(function (i) { return i.dataset.unit === input.dataset.unit && i.value.trim() !== ""; });
      const mine = row.indexOf(input);
      S.postJSON("/entry/check", { period: period, cells: row.map(function (i) { return { org_unit: i.dataset.unit, data_element: i.dataset.element, value: i.value.trim() }; }) }).then(function (res) {
        const own = (res.body.problems || []).filter(function (p) { return p.cell === mine; });
        showProblems([input], own.map(function (p) { return Object.assign({}, p, { cell: 0 }); }));
        showRules(input, own.length ? [] : (res.body.rules || []).filter(function (r) { return r.cells.indexOf(mine) >= 0; }));
      });
    }
    function move(r, c) {
      if (r < 0 || r >= rows.length) return;
      const target = rows[r][Math.max(0, Math.min(c, rows[r].length - 1))];
      if (target) { target.focus(); target.select(); }
    }
    rows.forEach(function (cells, r) {
      cells.forEach(function (input, c) {
        input.dataset.original = input.value;
        input.dataset.savedComment = input.dataset.comment || "";
        let timer = null;
        input.addEventListener("input", function () {
          clearTimeout(timer);
          timer = setTimeout(function () { check(input); }, 250);
        });
        input.addEventListener("focus", function () {
          current = input;
          comment.disabled = input.disabled;
          comment.value = input.dataset.comment || "";
          commentCell.textContent = input.dataset.unit + " · " + input.dataset.element;
        });
        input.addEventListener("keydown", function (e) {
          const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
          const atEnd = input.selectionStart === input.value.length;
          if (e.key === "ArrowDown" || (e.key === "Enter" && !e.shiftKey)) { e.preventDefault(); move(r + 1, c); }
          else if (e.key === "ArrowUp" || (e.key === "Enter" && e.shiftKey)) { e.preventDefault(); move(r - 1, c); }
          else if (e.key === "ArrowLeft" && atStart) { e.preventDefault(); move(r, c - 1); }
          else if (e.key === "ArrowRight" && atEnd) { e.preventDefault(); move(r, c + 1); }
        });
        input.addEventListener("paste", function (e) {
          const text = (e.clipboardData || window.clipboardData).getData("text");
          if (!/[\t\n]/.test(text)) return;  // one value: the browser pastes it
          e.preventDefault();
          const block = text.replace(/\r/g, "").replace(/\n+$/, "").split("\n").map(function (line) { return line.split("\t"); });
          const touched = [];
          block.forEach(function (values, dr) {
            values.forEach(function (v, dc) {
              const target = rows[r + dr] && rows[r + dr][c + dc];
              if (!target || target.disabled) return;
              target.value = v.trim();
              touched.push(target);
            });
          });
          touched.forEach(check);
          document.getElementById("entry-status").textContent = (zh ? "已粘贴 " : "pasted ") + touched.length + (zh ? " 格（未保存）" : " cells (not saved)");
        });
      });
    });
    comment.addEventListener("input", function () {
      if (!current) return;
      current.dataset.comment = comment.value;
      current.title = comment.value;
      current.classList.toggle("has-comment", comment.value !== "");
    });

    /* the reason box is marked while a cleared cell waits for a reason */
    function markReason() {
      const waiting = all.some(function (i) { return !i.disabled && i.value.trim() === "" && i.dataset.original !== ""; });
      document.getElementById("entry-reason-label").classList.toggle("needed", waiting && !document.getElementById("entry-reason").value.trim());
    }
    document.getElementById("entry-reason").addEventListener("input", markReason);
    const button = document.getElementById("entry-save");
    const status = document.getElementById("entry-status");
    const reason = document.getElementById("entry-reason");
    button.addEventListener("click", function () {
      const edited = all.filter(function (i) { return !i.disabled && changed(i); });
      if (!edited.length) { status.textContent = zh ? "没有修改" : "nothing changed"; return; }
      const cells = edited.map(cellOf);
      const deleting = cells.filter(function (c) { return c.deleted; }).length;
      if (deleting && !reason.value.trim()) {
        status.textContent = zh ? "删除 " + deleting + " 个数值须填写删除原因" : "give a reason to delete " + deleting + " value(s)";
        reason.focus();
        return;
      }
      S.postJSON("/entry/save", { period: period, cells: cells, reason: reason.value.trim() }).then(function (res) {
        showProblems(edited, res.body.problems || []);
        if (res.status === 200) {
          edited.forEach(function (i) {
            i.dataset.original = i.value.trim(); i.dataset.savedComment = i.dataset.comment || "";
            i.classList.add("saved"); if (i.value.trim() === "") note(i, "");
          });
          status.textContent = zh
            ? "已保存 " + res.body.saved + "，删除 " + (res.body.deleted || 0)
            : "saved " + res.body.saved + ", deleted " + (res.body.deleted || 0);
          reason.value = "";
          markReason();
        } else {
          status.textContent = res.body.problems ? (zh ? "有错误，未保存" : "errors: nothing saved") : (res.body.detail || res.status);
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", setupGrid);
})();
