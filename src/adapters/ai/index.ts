import type { AppConfig } from '../../config';
import { LocalTextModel } from './local-text-model';
import { OpenAiCompatibleTextModel } from './openai-text-model';
import type { TextModel } from './text-model';

export * from './text-model';
export { LocalTextModel } from './local-text-model';
export { OpenAiCompatibleTextModel } from './openai-text-model';

let local: LocalTextModel | undefined;
const remotes = new Map<string, OpenAiCompatibleTextModel>();

/** The OpenAI-compatible endpoint when AI_API_URL is set; otherwise the local model (one per process). */
export function textModelFor(config: Pick<AppConfig, 'aiApiUrl' | 'aiApiKey' | 'aiModel'>): TextModel {
  if (!config.aiApiUrl) return (local ??= new LocalTextModel());
  const key = JSON.stringify([config.aiApiUrl, config.aiApiKey ?? '', config.aiModel]);
  let remote = remotes.get(key);
  if (!remote) {
    remote = new OpenAiCompatibleTextModel({ baseUrl: config.aiApiUrl, apiKey: config.aiApiKey, model: config.aiModel });
    remotes.set(key, remote);
  }
  return remote;
}
