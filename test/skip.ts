// A test that cannot run here (no assets, a long run not asked for) returns early; uvu would count it as
// passed. skipTest prints the reason and a marker line that scripts/test.mjs counts, moving that test from
// "passed" to "skipped". Call it only inside a test body, then return.
export const SKIP_MARK = '[qdeploy:test-skipped]';

export function skipTest(reason: string): void {
  console.log(`SKIP: ${reason}`);
  console.log(SKIP_MARK);
}
