export {
  whatIf,
  type WhatIfRequest,
  type WhatIfResponse,
  type WhatIfResult,
  type WhatIfPolicyExtras,
  type WhatIfSignInIdentity,
  type WhatIfSignInContext,
  type WhatIfSignInConditions,
} from './whatif.js';
