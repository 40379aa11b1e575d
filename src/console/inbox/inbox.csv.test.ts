import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvCell, csvLine } from './inbox.csv.ts';

describe('inbox CSV cells', () => {
  it('defuses every character a spreadsheet starts a formula with', () => {
    for (const lead of ['=', '+', '-', '@', '\t', '\r', '\n']) {
      assert.equal(csvCell(`${lead}1+1`), `"'${lead}1+1"`, JSON.stringify(lead));
    }
    assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  });

  it('leaves other text as it is, quoted, with quotes doubled and line breaks kept inside', () => {
    assert.equal(csvCell('Анна'), '"Анна"');
    assert.equal(csvCell(' =1'), '" =1"');
    assert.equal(csvCell('a;b\r\nc "d"'), '"a;b\r\nc ""d"""');
    assert.equal(csvCell(''), '""');
    assert.equal(csvLine(['1', '+7912', 'x']), `"1";"'+7912";"x"\r\n`);
  });
});
