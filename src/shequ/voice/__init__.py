"""Residents' voice: the suggestions desk (workflow, classification, near-duplicates, the
three rates), satisfaction surveys with confidence intervals, participation through keyed
pseudonyms, volunteer and social-organisation services, and masking of phone and ID
numbers. See ``docs/voice.md`` for the functions the web app and notebooks call.
"""

from . import classify as classify
from . import duplicates as duplicates
from . import feed as feed
from . import masking as masking
from . import participation as participation
from . import rates as rates
from . import services as services
from . import suggestions as suggestions
from . import workdays as workdays
