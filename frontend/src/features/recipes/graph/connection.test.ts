import { describe, expect, it } from 'vitest';
import { alpacaGraph, nodeTypes } from '../testData';
import { checkConnection, type ConnectionContext } from './connection';
import { makeNode, toFlow } from './convert';
import { nodeTypeMap } from './types';

const types = nodeTypeMap(nodeTypes);

function context(extra: Partial<ConnectionContext> = {}): ConnectionContext {
  const { nodes, edges } = toFlow(alpacaGraph);
  const more = [
    makeNode('system_prompt', 'persona', { prompt: 'Be brief.' }, { x: 0, y: 0 }),
    makeNode('mix', 'mix', {}, { x: 0, y: 0 }),
    makeNode('samples', 'ident', { key: 'identity' }, { x: 0, y: 0 }),
    makeNode('filter', 'loose', { expression: 'true' }, { x: 0, y: 0 }),
  ];
  return { nodes: [...nodes, ...more], edges, types, ...extra };
}

const link = (source: string, target: string, sourceHandle = 'out', targetHandle = 'in') => ({
  source,
  target,
  sourceHandle,
  targetHandle,
});

describe('connection rules', () => {
  it('accepts an output that fits a free input', () => {
    expect(checkConnection(link('chat', 'persona'), context())).toEqual({ ok: true });
    expect(checkConnection(link('split', 'loose', 'eval'), context())).toEqual({ ok: true });
  });

  it('refuses a node feeding itself', () => {
    const result = checkConnection(link('keep', 'keep'), context());
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('cannot feed itself') });
  });

  it('refuses an edge that closes a cycle', () => {
    // rows → chat → keep → split: split back into chat is a cycle (chat's input is free here).
    const ctx = context();
    const edges = ctx.edges.filter((edge) => edge.target !== 'chat');
    const result = checkConnection(link('split', 'chat', 'train'), { ...ctx, edges });
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('cycle') });
  });

  it('refuses a second edge into an input that takes one, and a duplicate edge', () => {
    expect(checkConnection(link('ident', 'keep'), context())).toMatchObject({
      ok: false,
      reason: expect.stringContaining('already has an input (from chat)'),
    });
    expect(checkConnection(link('chat', 'keep'), context())).toMatchObject({
      ok: false,
      reason: expect.stringContaining('already connected'),
    });
  });

  it('lets several edges into an input that takes many', () => {
    const ctx = context();
    const edges = [...ctx.edges, link('ident', 'mix', 'out', 'inputs')];
    expect(checkConnection(link('rows', 'mix', 'out', 'inputs'), { ...ctx, edges })).toEqual({ ok: true });
  });

  it('refuses kinds that do not fit, judged by the known columns of an `any` port', () => {
    // inline rows declare `any`: unknown columns never refuse.
    expect(checkConnection(link('ident', 'persona'), context())).toEqual({ ok: true });
    // Known columns without messages: refused, naming what the rows have.
    const columnsOf = (node: string) => (node === 'ident' ? [{ name: 'instruction', type: 'string' }] : undefined);
    const refused = checkConnection(link('ident', 'persona'), context({ columnsOf }));
    expect(refused).toMatchObject({ ok: false, reason: expect.stringContaining('needs messages') });
    expect(refused).toMatchObject({ reason: expect.stringContaining('instruction: string') });
    // A messages column fits.
    const withMessages = () => [{ name: 'messages', type: 'messages' }];
    expect(checkConnection(link('ident', 'persona'), context({ columnsOf: withMessages }))).toEqual({ ok: true });
    // An input that takes `any` takes everything.
    expect(checkConnection(link('split', 'loose', 'train'), context({ columnsOf }))).toEqual({ ok: true });
  });

  it('refuses ports a node does not have', () => {
    expect(checkConnection(link('split', 'loose', 'test'), context())).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no output port test'),
    });
    expect(checkConnection({ source: 'rows', target: 'loose', sourceHandle: 'out', targetHandle: null }, context())).toMatchObject({
      ok: false,
    });
  });
});
