// Sorts the table by the clicked column: numbers numerically, text alphabetically, empty cells last.
(function () {
  'use strict';
  const table = document.getElementById('scans');
  const body = table.tBodies[0];
  table.querySelectorAll('th[data-col]').forEach((th) => {
    th.addEventListener('click', () => {
      const col = +th.dataset.col;
      const numeric = th.dataset.numeric === 'true';
      const descending = th.classList.contains('asc');
      table.querySelectorAll('th').forEach((h) => h.classList.remove('asc', 'desc'));
      th.classList.add(descending ? 'desc' : 'asc');
      const key = (tr) => tr.cells[col].dataset.sort;
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        if (x === '' || y === '') return (x === '') - (y === '');
        const d = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
        return descending ? -d : d;
      });
      rows.forEach((r) => body.appendChild(r));
    });
  });
})();
