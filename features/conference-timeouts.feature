Feature: How long Guests wait, and when a meeting ends by itself
  Guide, "Calling the VMR": "Some conferences may not start until the conference Host has
  joined. In this case, you will see a holding screen."
  DESIGN §2 "PINs, roles and host gating": waiting Guests are disconnected if no Host arrives
  within the host wait timeout (default 30 minutes); when the last Host leaves and only Guests
  remain, the meeting ends for them after the guests-only timeout (default 60 s, 0 s to 1 day);
  a separate "only one participant" timeout, off by default, ends a meeting with one participant.

  Background:
    Given Parley runs the demo configuration
    And Alice uses Skype for Business
    And Bob uses Skype for Business
    And Carol uses the web app

  Scenario: Guests wait for the Host for 30 minutes at most
    Given Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    When 29 minutes pass
    Then Bob sees the "Waiting for the host" screen
    When 1 minute passes
    And the message has played
    Then Bob is disconnected

  Scenario: The host wait timeout is the administrator's choice
    Given the host wait timeout is 2 minutes
    And Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    When 2 minutes pass
    And the message has played
    Then Bob is disconnected

  Scenario: A Host who arrives in time saves the waiting Guests
    Given Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    And 29 minutes pass
    When Alice dials meet.alice**1234@example.com
    And 10 minutes pass
    Then Bob sees Alice
    And Bob is in "Alice's meeting room"

  # The web app has no wire form until a WebRTC adapter exists (DESIGN §5: not on the wire yet).
  @sim-only
  Scenario: When the last Host leaves, the Guests have one minute
    Given Alice dials meet.alice**1234@example.com
    And Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    And Carol dials meet.alice@example.com
    And Carol enters # on the dial pad
    When Alice hangs up
    And 59 seconds pass
    Then Bob is in "Alice's meeting room"
    When 1 second passes
    Then Bob sees the conference ending screen
    And Bob hears the conference ending message
    When the message has played
    Then Bob is disconnected
    And Carol is disconnected

  Scenario Outline: The guests-only timeout is the administrator's choice, up to a day
    Given the guests-only timeout is <timeout>
    And Alice dials meet.alice**1234@example.com
    And Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    When Alice hangs up
    And <a moment less> pass
    Then Bob is in "Alice's meeting room"
    When 1 second passes
    And the message has played
    Then Bob is disconnected

    Examples:
      | timeout    | a moment less |
      | 1 second   | 0 seconds     |
      | 10 seconds | 9 seconds     |

    # Telling the last second of a long timeout from the next takes that long in real time on the
    # wire (the node's clock is real; the time plan keeps a second apart by 400 ms at least).
    @sim-only
    Examples: long timeouts
      | timeout    | a moment less |
      | 10 minutes | 599 seconds   |
      | 1 day      | 86399 seconds |

  Scenario: With no guests-only time at all, the Guests leave with the last Host
    Given the guests-only timeout is 0 seconds
    And Alice dials meet.alice**1234@example.com
    And Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    When Alice hangs up
    Then Bob sees the conference ending screen
    When the message has played
    Then Bob is disconnected

  Scenario: A Host who comes back in time keeps the meeting going
    Given Alice dials meet.alice**1234@example.com
    And Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    And Alice hangs up
    And 30 seconds pass
    When Alice dials meet.alice**1234@example.com
    And 5 minutes pass
    Then Bob is in "Alice's meeting room"
    And Bob sees Alice

  Scenario: While another Host stays, a Host leaving changes nothing for the Guests
    Given Dave uses a SIP room system
    And Alice dials meet.alice**1234@example.com
    And Dave dials meet.alice**1234@example.com
    And Bob dials meet.alice@example.com
    And Bob enters # on the dial pad
    When Alice hangs up
    And 10 minutes pass
    Then Bob is in "Alice's meeting room"

  # A day of scenario time cannot be made short enough on the wire: no configurable timeout may
  # shrink below the time plan's 400 ms margin, so it would take ten minutes of real time.
  @sim-only
  Scenario: By default one participant alone may stay as long as they like
    Given Alice dials meet.bob@example.com
    When 1 day passes
    Then Alice is in "Bob's room"

  Scenario: An only-one-participant timeout ends a meeting with one participant
    Given the only-one-participant timeout is 5 minutes
    And Alice dials meet.bob@example.com
    When 4 minutes pass
    Then Alice is in "Bob's room"
    When 1 minute passes
    Then Alice sees the conference ending screen
    When the message has played
    Then Alice is disconnected

  Scenario: The only-one-participant timeout does not end a meeting of two
    Given the only-one-participant timeout is 5 minutes
    And Alice dials meet.bob@example.com
    And Bob dials meet.bob@example.com
    When 1 hour passes
    Then Alice is in "Bob's room"
    And Bob is in "Bob's room"
