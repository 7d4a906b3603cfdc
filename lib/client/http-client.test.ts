import { describe, expect, it } from 'vitest';
import { CoordinatorHttp } from './http-client.js';

describe('CoordinatorHttp', () => {
  it.each(['localhost:8765', '127.0.0.1:8765', 'ftp://host', 'not a url', ''])('refuses %j as a base URL, naming it', (url) => {
    expect(() => new CoordinatorHttp(url)).toThrow(`coordinator URL "${url}" is not an http:// or https:// URL`);
  });

  it('takes http and https URLs', () => {
    for (const url of ['http://127.0.0.1:8765', 'https://coordinator.example:443/prefix']) new CoordinatorHttp(url).close();
  });
});
