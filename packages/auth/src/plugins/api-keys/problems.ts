import { ProblemError } from "../../http/problem.js";

/** 409: the account holds `maxKeysPerUser` keys already. */
export const API_KEY_LIMIT_TYPE = "/problems/api-key-limit";

export const apiKeyLimit = (max: number) =>
  new ProblemError({
    status: 409,
    type: API_KEY_LIMIT_TYPE,
    title: "Too many API keys",
    detail: `An account can hold ${max} API keys. Revoke one you no longer use first.`,
  });

export const noSuchApiKey = () => new ProblemError({ status: 404, detail: "No such API key." });
