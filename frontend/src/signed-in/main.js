// The issuer sends the browser back here with ?code=…&state=… (or an error).
// Hand the answer to the dashboard in the other window and close: the code is
// exchanged there, and the token lives only in that page's memory.
import { SIGN_IN_CHANNEL } from '../dashboard/signIn.js';

const channel = new BroadcastChannel(SIGN_IN_CHANNEL);
channel.postMessage({ callbackUrl: window.location.href });
channel.close();
window.close();
