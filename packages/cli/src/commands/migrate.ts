import { ZConfig } from '@modula/config';
import { migrate } from '@modula/db';
import { defaultKeyFile, loadSigner, publishSigningKey } from '@modula/domain';
import { cliConfig } from '../runtime-config.ts';
import { printJson, type TCommand } from './helpers.ts';

/** Where the installation's signing key is: SIGNING_KEY_FILE, else DATA_DIR/signing-key.pem (the same settings server and worker read). */
const ZKeySettings = ZConfig.pick({ DATA_DIR: true, SIGNING_KEY_FILE: true, SIGNING_KEY_ID: true });

export const migrateCommand: TCommand = {
  summary:
    'Applies pending database migrations, then publishes the signing key (SIGNING_KEY_FILE, else DATA_DIR/signing-key.pem, ' +
    'created when missing) in signing_keys, as the owner: DATABASE_OWNER_URL (else DATABASE_URL). Run it after a key rotation too.',
  options: {},
  async run() {
    // the one command that needs the owner; everything else runs as the runtime's login
    const url = process.env.DATABASE_OWNER_URL ?? cliConfig().DATABASE_URL;
    const applied = await migrate(url);
    // only the owner may publish a key: server and worker refuse to start until theirs is listed
    const settings = ZKeySettings.parse(process.env);
    const signer = loadSigner(settings);
    const { newlyPublished } = await publishSigningKey(url, signer);
    printJson({ applied, signingKey: { keyId: signer.keyId, file: defaultKeyFile(settings), newlyPublished } });
    return 0;
  },
};
