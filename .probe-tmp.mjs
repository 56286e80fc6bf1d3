import { PGlite } from '@electric-sql/pglite';
const db = new PGlite();
for (const [t, u] of [['1','7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10'],['March 7','7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10'],['2026-02-30T00:00:00Z','7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10'],['2026-01-01T00:00:00Z','-'.repeat(36)],['2026-01-01T00:00:00Z','a'.repeat(36)], ['+275760-09-13T00:00:00.000Z','7f1c1c5e-5f1a-4c43-9a58-2d0c7f3f9b10']]) {
  try { const r = await db.query('select $1::timestamptz as t, $2::uuid as u', [t, u]); console.log('ok', t, u, r.rows[0]); }
  catch (e) { console.log('ERR', JSON.stringify(t), u, e.message); }
}
