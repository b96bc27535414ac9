type Obj = Record<string, unknown>;

const text = (t: unknown): string | undefined => (t && typeof t === 'object' ? (t as Obj).text as string : undefined);

function textObject(where: string, t: unknown, max: number, out: string[], plainOnly = false): void {
  if (!t || typeof t !== 'object') return void out.push(`${where}: missing text object`);
  const o = t as Obj;
  if (plainOnly && o.type !== 'plain_text') out.push(`${where}: must be plain_text`);
  const s = text(o);
  if (typeof s !== 'string' || s.length === 0) out.push(`${where}: empty text`);
  else if (s.length > max) out.push(`${where}: ${s.length} characters, more than ${max}`);
}

/** What Slack would reject in a blocks array (the limits storage-watch relies on), as messages; empty when valid. */
export function blockProblems(blocks: unknown, maxBlocks: number): string[] {
  const out: string[] = [];
  if (blocks === undefined) return out;
  if (!Array.isArray(blocks)) return ['blocks: not an array'];
  if (blocks.length > maxBlocks) out.push(`blocks: ${blocks.length}, more than ${maxBlocks}`);
  blocks.forEach((raw, i) => {
    const b = raw as Obj;
    const at = `blocks[${i}] (${String(b.type)})`;
    if (typeof b.block_id === 'string' && b.block_id.length > 255) out.push(`${at}: block_id too long`);
    switch (b.type) {
      case 'header':
        textObject(at, b.text, 150, out, true);
        break;
      case 'section': {
        if (!b.text && !b.fields) out.push(`${at}: needs text or fields`);
        if (b.text) textObject(`${at}.text`, b.text, 3000, out);
        const fields = (b.fields ?? []) as unknown[];
        if (fields.length > 10) out.push(`${at}: ${fields.length} fields, more than 10`);
        fields.forEach((f, j) => textObject(`${at}.fields[${j}]`, f, 2000, out));
        break;
      }
      case 'context': {
        const els = (b.elements ?? []) as unknown[];
        if (!els.length || els.length > 10) out.push(`${at}: ${els.length} elements, need 1 to 10`);
        els.forEach((e, j) => textObject(`${at}.elements[${j}]`, e, 3000, out));
        break;
      }
      case 'actions': {
        const els = (b.elements ?? []) as Obj[];
        if (!els.length || els.length > 25) out.push(`${at}: ${els.length} elements, need 1 to 25`);
        const ids = new Set<string>();
        els.forEach((e, j) => {
          textObject(`${at}.elements[${j}]`, e.text, 75, out, true);
          if (typeof e.value === 'string' && e.value.length > 2000) out.push(`${at}.elements[${j}]: value longer than 2000`);
          const id = String(e.action_id);
          if (id.length > 255 || ids.has(id)) out.push(`${at}.elements[${j}]: bad or duplicate action_id`);
          ids.add(id);
        });
        break;
      }
      case 'input':
        textObject(`${at}.label`, b.label, 2000, out, true);
        if (!b.element) out.push(`${at}: no element`);
        for (const o of (((b.element as Obj | undefined)?.options ?? []) as Obj[])) textObject(`${at}.option`, o.text, 75, out, true);
        break;
      case 'divider':
        break;
      default:
        out.push(`${at}: unexpected block type`);
    }
  });
  return out;
}

/** What Slack would reject in a modal view. */
export function viewProblems(view: unknown): string[] {
  if (!view || typeof view !== 'object') return ['view: missing'];
  const v = view as Obj;
  const out = blockProblems(v.blocks, 100);
  textObject('view.title', v.title, 24, out, true);
  if (v.submit) textObject('view.submit', v.submit, 24, out, true);
  if (v.close) textObject('view.close', v.close, 24, out, true);
  if (typeof v.private_metadata === 'string' && v.private_metadata.length > 3000) out.push('view.private_metadata: longer than 3000');
  return out;
}
