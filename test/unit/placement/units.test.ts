import { firstSegment, groupMembers } from '../../../lib/placement/units';

describe('placement groups', () => {
  test('routes under one first path segment share a group; others stay apart', () => {
    const groups = groupMembers([
      { name: 'list', paths: ['/orders'], linked: [] },
      { name: 'users', paths: ['/users/{id}'], linked: [] },
      { name: 'get', paths: ['/orders/{id}'], linked: [] },
      { name: 'quiet', paths: [], linked: [] },
    ]);
    expect(groups.map((g) => g.members)).toEqual([['list', 'get'], ['users'], ['quiet']]);
    expect(groups[0]).toMatchObject({ key: 'list', segments: ['orders'] });
    expect(groups[2].segments).toEqual([]);
  });

  test('a function destination pulls both functions into one group, named by the earlier-declared one', () => {
    const groups = groupMembers([
      { name: 'audit', paths: [], linked: [] },
      { name: 'orders', paths: ['/orders'], linked: ['audit'] },
      { name: 'other', paths: ['/other'], linked: [] },
    ]);
    expect(groups).toEqual([
      { key: 'audit', members: ['audit', 'orders'], segments: ['orders'] },
      { key: 'other', members: ['other'], segments: ['other'] },
    ]);
  });

  test('groups chain transitively (a shares a segment with b, b links to c)', () => {
    const groups = groupMembers([
      { name: 'a', paths: ['/x'], linked: [] },
      { name: 'c', paths: [], linked: [] },
      { name: 'b', paths: ['/x/{id}', '/y'], linked: ['c'] },
      { name: 'd', paths: ['/y/z'], linked: [] },
    ]);
    expect(groups).toEqual([{ key: 'a', members: ['a', 'c', 'b', 'd'], segments: ['x', 'y'] }]);
  });

  test('first segments: the root is its own segment, "" ', () => {
    expect(firstSegment('/')).toBe('');
    expect(firstSegment('/a/b')).toBe('a');
    expect(firstSegment('/{proxy+}')).toBe('{proxy+}');
  });
});
