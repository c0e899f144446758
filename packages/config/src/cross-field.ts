/** The settings that only make sense together: checked once the schema has parsed each of them. */
export function crossFieldProblems(c: {
  EXPORT_STORE: string;
  S3_BUCKET?: string | undefined;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
  SERVER_SECRET?: string | undefined;
  SERVER_SECRET_FILE?: string | undefined;
}): string[] {
  const problems: string[] = [];
  if (c.EXPORT_STORE === 's3' && !c.S3_BUCKET) problems.push('S3_BUCKET: required with EXPORT_STORE=s3');
  if (Boolean(c.S3_ACCESS_KEY_ID) !== Boolean(c.S3_SECRET_ACCESS_KEY)) {
    problems.push('S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY: set both, or neither (the AWS SDK default chain)');
  }
  if (c.SERVER_SECRET && c.SERVER_SECRET_FILE) problems.push('SERVER_SECRET_FILE: set SERVER_SECRET or SERVER_SECRET_FILE, not both');
  return problems;
}
