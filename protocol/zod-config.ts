import { z } from 'zod';

// zod's stock message for a missing field is "Invalid input: expected string, received undefined";
// users read "is required" faster. Imported for its side effect by every schema module.
z.config({
  customError: (issue) => {
    if (issue.code === 'invalid_type' && issue.input === undefined) return `is required (${issue.expected})`;
    return undefined;
  },
});
